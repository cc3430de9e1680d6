import Foundation
import Testing
@testable import Torch
@testable import TorchVision

nonisolated(unsafe) private let fixture: [String: Any] = {
    let url = Bundle.module.url(forResource: "dataloader", withExtension: "json", subdirectory: "Fixtures")!
    return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
}()

private func indexDataset(_ n: Int) -> TensorDataset {
    TensorDataset(Tensor.arange(0, n).reshape(n, 1), Tensor.arange(0, n))
}

// Seeds the global generator, so one test at a time.
@Suite(.serialized) struct DataTests {
    @Test(arguments: [0, 50])
    func shuffleOrderMatchesPyTorch(seed: Int) {
        let want = fixture["seed\(seed)"] as! [String: [[Int]]]
        withGenerator(Generator(seed: UInt64(seed))) {
            let loader = DataLoader(indexDataset(1000), batchSize: 100, shuffle: true)
            let epoch1 = loader.prefix(3).map { $0.1.scalars(as: Int.self) }
            #expect(epoch1 == want["epoch1"]!)
            let epoch2 = loader.prefix(3).map { $0.1.scalars(as: Int.self) }
            #expect(epoch2 == want["epoch2"]!)
        }
    }

    @Test func unshuffledLoaderStillDrawsItsBaseSeed() {
        let want = fixture["noshuffle_then_rand"] as! [String: Any]
        withGenerator(Generator(seed: 7)) {
            let batches = DataLoader(indexDataset(10), batchSize: 4).map { $0.1.scalars(as: Int.self) }
            #expect(batches == want["batches"] as! [[Int]])
            let r = Tensor.rand(3).scalars(as: Float.self)
            #expect(r == (want["rand"] as! [Double]).map { Float($0) })
        }
    }

    @Test func randomSplitMatchesPyTorch() {
        let parts = withGenerator(Generator(seed: 3)) { randomSplit(indexDataset(10), lengths: [7, 3]) }
        #expect(parts.map(\.indices) == fixture["random_split"] as! [[Int]])
    }

    @Test func workersPrefetchInOrderAndDropLast() {
        let loader = DataLoader(indexDataset(103), batchSize: 10, dropLast: true, numWorkers: 2)
        let labels = loader.map { $0.1.scalars(as: Int.self) }
        #expect(labels.count == 10 && loader.count == 10)
        #expect(labels.flatMap { $0 } == Array(0..<100))
        let shapes = DataLoader(indexDataset(5), batchSize: 2).map { $0.0.shape }
        #expect(shapes == [[2, 1], [2, 1], [1, 1]])
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist")))
    func realFashionMNIST() throws {
        let test = try FashionMNIST(root: "/usr/share/datasets/fashion-mnist", train: false)
        #expect(test.count == 10_000)
        let (x, y) = test[0]
        #expect(x.shape == [1, 28, 28] && x.dtype == .float32)
        #expect(y.item(as: Int.self) == 9)  // the first test image is an ankle boot
        let (bx, by) = DataLoader(test, batchSize: 100).makeIterator().next()!
        #expect(bx.shape == [100, 1, 28, 28] && by.shape == [100])
        #expect(bx.max().item() <= 1 && bx.min().item() >= 0)
    }

    @Test func missingDatasetThrowsNamingTheFile() {
        #expect(throws: SerializationError.self) { try FashionMNIST(root: "/nonexistent-dir", train: true) }
    }
}
