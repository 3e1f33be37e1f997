// The types of the layer rule's config for the TypeScript that reads it (tests/main/layers.test.ts).

/** The application layer's folder, repository-relative (`scripts/eslint/layers.js`). */
export declare const APP: string;
