import Testing
@testable import Torch

@Suite struct TensorBasicsTests {
    @Test func largeStoragesAreReusedAndSmallOnesAreNot() {
        // An odd size no other test allocates, so a concurrent test cannot take the block.
        let bytes = (1 << 20) + 3 * 4096 + 64
        var first: UnsafeMutableRawPointer?
        do { first = Storage(byteCount: bytes).data }
        let second = Storage(byteCount: bytes)
        #expect(second.data == first, "a freed large block is handed out again")
        #expect(!StoragePool.give(second.data, 1024), "small blocks stay with malloc")
        #expect(StoragePool.take(100) == nil)
    }

    @Test func walkthroughMatmul() {
        let inFeatures = Tensor([1, 2, 3, 4], dtype: .float32)
        let weightMatrix = Tensor([[1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 6]], dtype: .float32)
        #expect(weightMatrix.matmul(inFeatures).description == "tensor([30., 40., 50.])")
    }

    @Test func literalDTypes() {
        #expect(Tensor([1, 2, 3]).dtype == .int64)
        #expect(Tensor([1.5, 2.0]).dtype == .float32)
        #expect(Tensor(3.5).shape == [])
        #expect(Tensor([[1, 2], [3, 4]], dtype: .float64).dtype == .float64)
    }

    @Test func promotion() {
        let i = Tensor([1, 2, 3]), f = Tensor([1.5, 2.5, 3.5])
        #expect((i + f).dtype == .float32)
        #expect((i + 2).dtype == .int64)
        #expect((i + 2.5).dtype == .float32)
        #expect((f + Tensor(2.0, dtype: .float64)).dtype == .float32)
        #expect((i / 2).dtype == .float32)
        #expect((f.to(.float64) + f).dtype == .float64)
        #expect((Tensor([true, false]) + Tensor([1, 2], dtype: .uint8)).dtype == .uint8)
    }

    @Test func autogradBasics() {
        let w = Tensor([1.0, 2.0, 3.0], requiresGrad: true)
        let loss = (w * w).sum()
        #expect(loss.gradFn?.name == "SumBackward0")
        #expect(loss.gradFn?.nextFunctions.first?.node?.name == "MulBackward0")
        loss.backward()
        #expect(w.grad!.scalars(as: Float.self) == [2, 4, 6])
        (w * 3).sum().backward()
        #expect(w.grad!.scalars(as: Float.self) == [5, 7, 9])
    }

    @Test func broadcastGradients() {
        let a = Tensor.ones([2, 3], requiresGrad: true)
        let b = Tensor.ones([3], requiresGrad: true)
        ((a + b) * 2).sum().backward()
        #expect(b.grad!.scalars(as: Float.self) == [4, 4, 4])
        #expect(a.grad!.shape == [2, 3])
    }

    @Test func viewsAndIndexing() {
        let t = Tensor.arange(0, 12).reshape(3, 4)
        #expect(t[1].scalars(as: Int64.self) == [4, 5, 6, 7])
        #expect(t[.all, 2].scalars(as: Int64.self) == [2, 6, 10])
        #expect(t[1..<3, 0].scalars(as: Int64.self) == [4, 8])
        #expect(t.T.isContiguous == false)
        #expect(t.T.reshape(12).scalars(as: Int64.self) == [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11])
        #expect(t[t > 9].scalars(as: Int64.self) == [10, 11])
        #expect(t.sum(dim: 0).scalars(as: Int64.self) == [12, 15, 18, 21])
        #expect(t.max(dim: 1).indices.scalars(as: Int64.self) == [3, 3, 3])
    }
}

@Suite(.serialized) struct StridedRandomTests {
    /// PyTorch draws strided normals one at a time in memory order (values from torch 2.13).
    @Test func normalOnTransposedTensorMatchesPyTorch() {
        let x = Tensor.empty([4, 5]).t()
        withGenerator(Generator(seed: 3)) { _ = x.normal_() }
        let memoryOrder = x.t().flatten().scalars(as: Float.self)
        let expected: [Float] = [0.8032760620117188, 0.17483338713645935, 0.08897809684276581,
                                 -0.6137180328369141, 0.04618244990706444, -1.3682591915130615]
        #expect(Array(memoryOrder.prefix(6)) == expected)
    }
}
