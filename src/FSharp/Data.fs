namespace Mlp.FSharp

open Mlp
open Mlp.Data
open Mlp.Training

/// Datasets as a pipeline: `Data.load path |> Data.normalize |> Data.train |> Data.batches 64`.
[<RequireQualifiedAccess>]
module Data =
    /// Loads train/valid(/test) splits from an IDX directory or the lesson's `mnist.pkl.gz`.
    /// Throws FileNotFoundException or InvalidDataException naming the file; see `tryLoad`.
    let load (path: string) : DatasetSplits = DataLoader.Load path

    /// Like `load`, but None when nothing exists at `path` (a malformed file still throws).
    let tryLoad (path: string) : DatasetSplits option =
        if System.IO.Directory.Exists path || System.IO.File.Exists path then Some(DataLoader.Load path) else None

    /// Normalizes every split with the training mean and std (the lesson's rule).
    let normalize (splits: DatasetSplits) : DatasetSplits =
        let struct (s, _, _) = Normalization.ByTrainStatistics splits
        s

    /// Like `normalize`, also returning the training mean and std used.
    let normalizeWithStats (splits: DatasetSplits) : DatasetSplits * float32 * float32 =
        let struct (s, mean, std) = Normalization.ByTrainStatistics splits
        s, mean, std

    /// The training split.
    let train (splits: DatasetSplits) : Dataset = splits.Train

    /// The validation split.
    let valid (splits: DatasetSplits) : Dataset = splits.Valid

    /// The test split, if the source has one.
    let test (splits: DatasetSplits) : Dataset option = Option.ofObj splits.Test

    /// A dataset from (n, features) inputs and n labels.
    let ofTensor (source: string) (labels: int[]) (x: Tensor) : Dataset = Dataset(x, labels, source)

    /// The first `count` rows.
    let take (count: int) (data: Dataset) : Dataset = data.Slice(0, min count data.Count, data.Source)

    /// Batches `(x, labels)` in order; the last partial batch is kept.
    let batches (size: int) (data: Dataset) : seq<Tensor * int[]> =
        seq {
            for start in 0 .. size .. data.Count - 1 do
                let count = min size (data.Count - start)
                yield data.X.Rows(start, count), Array.init count (fun i -> data.Labels.[start + i])
        }

    /// The shuffled batches the trainer uses in epoch `epoch` (0-based) for `seed`.
    let shuffledBatches (size: int) (seed: uint64) (epoch: int) (data: Dataset) : seq<Tensor * int[]> =
        seq {
            for idx in Batches.ForEpoch(data.Count, size, seed, epoch) ->
                data.X.SelectRows idx, idx |> Array.map (fun i -> data.Labels.[i])
        }
