;; Fused batch-normalisation kernels for the TensorFlow.js wasm backend, in WebAssembly SIMD.
;;
;; Compiled by scripts/build-simd.mjs into kernels.wasm.ts (two variants: importing a shared memory for the
;; threaded backend build, a plain one otherwise). The module imports the backend's own memory, so every
;; pointer below is a byte offset of a tensor on the backend's heap: no copies in or out.
;;
;; Layout: channels-last activations viewed as `rows` x C float32, with `cb` = C * 4 bytes and C a
;; multiple of 4 (one f32x4 covers 4 channels). Per-channel parameters are C float32 each, 16-byte aligned
;; or not (v128.load/store accept any alignment).
;;
;; Each kernel is one pass over its inputs; the TypeScript side (trainer/wasm/simd.ts and the kernels beside it) calls the
;; accumulating ones on chunks of rows and sums the chunks in float64.
(module
  (memory (import "env" "memory") 1 65536 shared)

  ;; sum[c] += x[r,c] - shift[c];  sq[c] += (x[r,c] - shift[c])^2   for r in [0, rows)
  (func (export "bn_stats")
    (param $x i32) (param $rows i32) (param $cb i32) (param $shift i32) (param $sum i32) (param $sq i32)
    (local $end i32) (local $j i32) (local $d v128)
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $rows) (local.get $cb))))
    (block $done
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (loop $row
        (local.set $j (i32.const 0))
        (loop $col
          (local.set $d
            (f32x4.sub
              (v128.load (i32.add (local.get $x) (local.get $j)))
              (v128.load (i32.add (local.get $shift) (local.get $j)))))
          (v128.store (i32.add (local.get $sum) (local.get $j))
            (f32x4.add (v128.load (i32.add (local.get $sum) (local.get $j))) (local.get $d)))
          (v128.store (i32.add (local.get $sq) (local.get $j))
            (f32x4.add
              (v128.load (i32.add (local.get $sq) (local.get $j)))
              (f32x4.mul (local.get $d) (local.get $d))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br_if $col (i32.lt_u (local.get $j) (local.get $cb))))
        (local.set $x (i32.add (local.get $x) (local.get $cb)))
        (br_if $row (i32.lt_u (local.get $x) (local.get $end))))))

  ;; y[r,c] = (x[r,c] - mean[c]) * scale[c] + beta[c]   (centred first: no cancellation for a large mean)
  (func (export "bn_apply")
    (param $x i32) (param $y i32) (param $rows i32) (param $cb i32) (param $mean i32) (param $scale i32)
    (param $beta i32)
    (local $end i32) (local $j i32)
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $rows) (local.get $cb))))
    (block $done
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (loop $row
        (local.set $j (i32.const 0))
        (loop $col
          (v128.store (i32.add (local.get $y) (local.get $j))
            (f32x4.add
              (f32x4.mul
                (f32x4.sub
                  (v128.load (i32.add (local.get $x) (local.get $j)))
                  (v128.load (i32.add (local.get $mean) (local.get $j))))
                (v128.load (i32.add (local.get $scale) (local.get $j))))
              (v128.load (i32.add (local.get $beta) (local.get $j)))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br_if $col (i32.lt_u (local.get $j) (local.get $cb))))
        (local.set $x (i32.add (local.get $x) (local.get $cb)))
        (local.set $y (i32.add (local.get $y) (local.get $cb)))
        (br_if $row (i32.lt_u (local.get $x) (local.get $end))))))

  ;; sdy[c] += dy[r,c];  sdyx[c] += dy[r,c] * (x[r,c] - mean[c])
  (func (export "bn_grad_sums")
    (param $dy i32) (param $x i32) (param $rows i32) (param $cb i32) (param $mean i32) (param $sdy i32)
    (param $sdyx i32)
    (local $end i32) (local $j i32) (local $g v128)
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $rows) (local.get $cb))))
    (block $done
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (loop $row
        (local.set $j (i32.const 0))
        (loop $col
          (local.set $g (v128.load (i32.add (local.get $dy) (local.get $j))))
          (v128.store (i32.add (local.get $sdy) (local.get $j))
            (f32x4.add (v128.load (i32.add (local.get $sdy) (local.get $j))) (local.get $g)))
          (v128.store (i32.add (local.get $sdyx) (local.get $j))
            (f32x4.add
              (v128.load (i32.add (local.get $sdyx) (local.get $j)))
              (f32x4.mul
                (local.get $g)
                (f32x4.sub
                  (v128.load (i32.add (local.get $x) (local.get $j)))
                  (v128.load (i32.add (local.get $mean) (local.get $j)))))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br_if $col (i32.lt_u (local.get $j) (local.get $cb))))
        (local.set $x (i32.add (local.get $x) (local.get $cb)))
        (local.set $dy (i32.add (local.get $dy) (local.get $cb)))
        (br_if $row (i32.lt_u (local.get $x) (local.get $end))))))

  ;; dx[r,c] = dy[r,c] * k[c] + (x[r,c] - mean[c]) * a[c] + b[c]
  (func (export "bn_grad_apply")
    (param $dy i32) (param $x i32) (param $dx i32) (param $rows i32) (param $cb i32) (param $mean i32)
    (param $k i32) (param $a i32) (param $b i32)
    (local $end i32) (local $j i32)
    (local.set $end (i32.add (local.get $x) (i32.mul (local.get $rows) (local.get $cb))))
    (block $done
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (loop $row
        (local.set $j (i32.const 0))
        (loop $col
          (v128.store (i32.add (local.get $dx) (local.get $j))
            (f32x4.add
              (f32x4.add
                (f32x4.mul
                  (v128.load (i32.add (local.get $dy) (local.get $j)))
                  (v128.load (i32.add (local.get $k) (local.get $j))))
                (f32x4.mul
                  (f32x4.sub
                    (v128.load (i32.add (local.get $x) (local.get $j)))
                    (v128.load (i32.add (local.get $mean) (local.get $j))))
                  (v128.load (i32.add (local.get $a) (local.get $j)))))
              (v128.load (i32.add (local.get $b) (local.get $j)))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br_if $col (i32.lt_u (local.get $j) (local.get $cb))))
        (local.set $x (i32.add (local.get $x) (local.get $cb)))
        (local.set $dy (i32.add (local.get $dy) (local.get $cb)))
        (local.set $dx (i32.add (local.get $dx) (local.get $cb)))
        (br_if $row (i32.lt_u (local.get $x) (local.get $end))))))

  ;; dx[i] = dy[i] * step(y[i]) for n floats (n a multiple of 4), step = 1 for y > 0, 0 for y <= 0 and NaN
  ;; for NaN, as the stock ReLU gradient dy * step(x): a NaN or Inf in dy or x still reaches dx.
  (func (export "relu_grad") (param $dy i32) (param $y i32) (param $dx i32) (param $n i32)
    (local $end i32) (local $v v128)
    (local.set $end (i32.add (local.get $y) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $y) (local.get $end)))
      (loop $each
        (local.set $v (v128.load (local.get $y)))
        (v128.store (local.get $dx)
          (f32x4.mul
            (v128.load (local.get $dy))
            (v128.or
              (v128.and (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0)) (v128.const f32x4 1 1 1 1))
              (v128.and (f32x4.ne (local.get $v) (local.get $v)) (local.get $v)))))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
        (local.set $dx (i32.add (local.get $dx) (i32.const 16)))
        (br_if $each (i32.lt_u (local.get $y) (local.get $end))))))
)
