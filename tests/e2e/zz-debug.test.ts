import { it } from 'vitest';
import { launchHarness } from './harness';
it('debug', async () => {
  const h = await launchHarness();
  h.page.on('console', (m) => console.log('CONSOLE', m.type(), m.text()));
  h.page.on('request', (r) => console.log('REQ', r.url()));
  await h.page.goto('http://maskwright.test/index.html');
  await new Promise((r) => setTimeout(r, 2000));
  console.log((await h.page.content()).slice(0, 3000));
  console.log(h.problems);
  await h.close();
});
