import Foundation
import Torch
import TorchVision

/// What a training run leaves beside its checkpoint after each epoch.
enum RunArtifacts {
    /// Called after every epoch's checkpoint is written.
    static func epochFinished(runDir: URL, net: Module, history: [EpochMetrics], evaluation: Evaluation,
                              testSet: IDXImageDataset) throws {
        // TensorBoard events, curves and the confusion picture are written here (see issue 5).
    }
}
