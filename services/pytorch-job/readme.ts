/** The job folder's README.md. */
export const JOB_README = String.raw`# Maskwright PyTorch training job

This folder trains a Maskwright project's U-Net with PyTorch, on as many GPUs or machines as you have,
and gives back weights that Maskwright imports as a checkpoint ("trained elsewhere") for Predict,
Label next and export.

## What is here

- job.json: the classes (output order, names, colors, label values), the class weights the loss uses
  (the project's overrides included), the model (width, depth, stem, dropout), the working size, the
  input normalization, the run's settings and the split.
- arrays/: the training and validation images (uint8 [N, H, W, 3]) and labels (uint8 [N, H, W], class
  index 0..C-1, 255 = unlabeled) at the working size, resized by Maskwright's own decoder, plus the
  per-image weights. train.py reads these.
- dataset/: the same images and label PNGs at their own size (255 = unlabeled), classes.json and the
  split lists, for people and other tools.
- init_weights.json + init_weights.bin (when exported from a checkpoint): the starting weights, in
  TensorFlow.js layout; without them the job starts from fresh He-normal weights.
- train.py: the training script. Python 3 with PyTorch and NumPy; nothing else.

## Run

One machine, CPU or one GPU:

    python3 train.py --out output

Several GPUs (one process each; DistributedDataParallel, NCCL on CUDA with mixed precision, gloo on
the CPU):

    torchrun --nproc_per_node 4 train.py --out output

(PyTorch 1.13 under Python 3.11, e.g. Debian bookworm's python3-torch, fails in torchrun's argument
parsing with "'NoneType' object has no attribute 'get'": add --redirects 2 --tee 2.)

Several machines (run on each; node 0's address as the rendezvous):

    torchrun --nnodes 2 --nproc_per_node 8 --rdzv_backend c10d --rdzv_endpoint node0:29500 train.py --out output

Slurm (one task per node, torchrun starts the processes of its node):

    #!/bin/bash
    #SBATCH --nodes=2 --ntasks-per-node=1 --gpus-per-node=8 --cpus-per-task=32
    head=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)
    srun torchrun --nnodes "$SLURM_NNODES" --nproc_per_node 8 \
      --rdzv_id "$SLURM_JOB_ID" --rdzv_backend c10d --rdzv_endpoint "$head:29500" train.py --out output

Ray Train (train.py reads torchrun's environment, which TorchTrainer sets up the same way):

    import runpy, sys
    from ray.train import ScalingConfig
    from ray.train.torch import TorchTrainer
    def loop(_):
        sys.argv = ["train.py", "--out", "/shared/output"]
        runpy.run_path("/shared/job/train.py", run_name="__main__")
    TorchTrainer(loop, scaling_config=ScalingConfig(num_workers=8, use_gpu=True)).fit()

Options: --epochs E, --minutes M (the run's budget; the schedule spans it), --batch-size B (per
process), --lr R, --max-steps S (a smoke test), --no-init (ignore init_weights), --cpu.

## What it computes (as Maskwright does)

- The U-Net of Maskwright (trainer/model.ts): same layers, names and padding; batch norm with Keras'
  epsilon 1e-3 and momentum 0.9, the moving variance from the biased batch variance.
- The loss: cross-entropy weighted per pixel by the weight of its ground-truth class times its image's
  weight; unlabeled (255) pixels and pixels of weight-0 classes add no error and no gradient; reduced
  as the run's settings say (weightedMean: sum / sum of the weights).
- Adam (beta 0.9/0.999, epsilon 1e-7) with decoupled weight decay of the convolution kernels, the
  run's learning-rate schedule (warm-up, hold or cosine decay, floor) over the epochs or minutes.
- Horizontal flips when the run has them. Not here: Maskwright's random scale/crop and photometric
  augmentation, and the reconstruction head. Batch-norm statistics are per process (per GPU batch).
- After each epoch, on process 0: the validation loss and the confusion matrix at the working size
  (Maskwright measures at each image's own size: figures can differ slightly).

## Bring the model back

train.py writes output/model.json (weight names and shapes in TensorFlow.js layout, the classes, the
settings), output/weights.bin and output/epochs.json (per-epoch losses and metrics). Then:

    maskwright import-model PROJECT.maskwright output

adds a run marked "trained elsewhere" with those epochs and the final weights as its checkpoint.
`;
