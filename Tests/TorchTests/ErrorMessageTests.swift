import Testing

@testable import Torch

// Misuse traps with PyTorch's message, naming the shapes as PyTorch does. Each case runs in a
// child process (an exit test) and checks the text written to standard error.

private func expectMessage(_ result: ExitTest.Result?, _ message: String,
                           sourceLocation: SourceLocation = #_sourceLocation) {
    guard let result else { return }  // the exit expectation itself already failed
    let text = String(decoding: result.standardErrorContent, as: UTF8.self)
    #expect(text.contains(message), "stderr was: \(text)", sourceLocation: sourceLocation)
}

@Suite("Error messages match PyTorch")
struct ErrorMessageTests {
    @Test func matmulShapes() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(3, 4).matmul(Tensor.zeros(3, 4))
        }
        expectMessage(r, "mat1 and mat2 shapes cannot be multiplied (3x4 and 3x4)")
    }

    @Test func matmulFoldedShapes() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(2, 3, 4).matmul(Tensor.zeros(5, 2))
        }
        expectMessage(r, "mat1 and mat2 shapes cannot be multiplied (6x4 and 5x2)")
    }

    @Test func vectorMatrixShapes() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(3).matmul(Tensor.zeros(4, 2))
        }
        expectMessage(r, "mat1 and mat2 shapes cannot be multiplied (1x3 and 4x2)")
    }

    @Test func mvShapes() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(3, 4).mv(Tensor.zeros(3))
        }
        expectMessage(r, "size mismatch, got input (3), mat (3x4), vec (3)")
    }

    @Test func dotShapes() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(3).matmul(Tensor.zeros(4))
        }
        expectMessage(r, "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but got 3 and 4 elements respectively")
    }

    @Test func bmmShapes() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(2, 3, 4).matmul(Tensor.zeros(2, 5, 2))
        }
        expectMessage(r, "Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [2, 5].")
    }

    @Test func batchBroadcastShapes() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(2, 2, 3, 4).matmul(Tensor.zeros(3, 5, 2))
        }
        expectMessage(r, "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 1")
    }

    @Test func broadcastMismatch() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(2, 3) + Tensor.zeros(4)
        }
        expectMessage(r, "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1")
    }

    @Test func dimOutOfRange() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(2, 3).sum(dim: 2)
        }
        expectMessage(r, "Dimension out of range (expected to be in range of [-2, 1], but got 2)")
    }

    @Test func viewOfNonContiguous() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(2, 3).t().view(6)
        }
        expectMessage(r, "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
    }

    @Test func badReshape() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(3, 4).reshape(5, 3)
        }
        expectMessage(r, "shape '[5, 3]' is invalid for input of size 12")
    }

    @Test func expandMismatch() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(3, 4).expand(3, 5)
        }
        expectMessage(r, "The expanded size of the tensor (5) must match the existing size (4) at non-singleton dimension 1.  Target sizes: [3, 5].  Tensor sizes: [3, 4]")
    }

    @Test func catMismatch() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.cat([Tensor.zeros(3, 4), Tensor.zeros(3, 5)])
        }
        expectMessage(r, "Sizes of tensors must match except in dimension 0. Expected size 4 but got size 5 for tensor number 1 in the list.")
    }

    @Test func stackMismatch() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.stack([Tensor.zeros(3, 4), Tensor.zeros(3, 5)])
        }
        expectMessage(r, "stack expects each tensor to be equal size, but got [3, 4] at entry 0 and [3, 5] at entry 1")
    }

    @Test func integerIndexOutOfRange() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(3, 4)[5]
        }
        expectMessage(r, "index 5 is out of bounds for dimension 0 with size 3")
    }

    @Test func columnIndexOutOfRange() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(3, 4)[.all, 7]
        }
        expectMessage(r, "index 7 is out of bounds for dimension 1 with size 4")
    }

    @Test func selectOutOfRange() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(3, 4).select(1, 4)
        }
        expectMessage(r, "select(): index 4 out of range for tensor of size [3, 4] at dimension 1")
    }

    @Test func indexTensorOutOfRange() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(3, 4)[Tensor([5])]
        }
        expectMessage(r, "index 5 is out of bounds for dimension 0 with size 3")
    }

    @Test func gatherOutOfRange() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(3, 4).gather(1, Tensor([[5]]))
        }
        expectMessage(r, "index 5 is out of bounds for dimension 1 with size 4")
    }

    @Test func maskShapeMismatch() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros(3, 4)[Tensor([true, false, true, true])]
        }
        expectMessage(r, "The shape of the mask [4] at index 0 does not match the shape of the indexed tensor [3, 4] at index 0")
    }

    @Test func indexPutValueShape() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let t = Tensor.zeros(3, 4)
            t[Tensor([0, 1])] = Tensor.ones(3)
        }
        expectMessage(r, "shape mismatch: value tensor of shape [3] cannot be broadcast to indexing result of shape [2, 4]")
    }

    @Test func inPlaceBroadcastShape() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Tensor.zeros(3).add_(Tensor.ones(2, 3))
        }
        expectMessage(r, "output with shape [3] doesn't match the broadcast shape [2, 3]")
    }

    @Test func secondBackwardThroughFreedGraph() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor.ones([3], requiresGrad: true)
            let y = (x * x).sum()
            y.backward()
            y.backward()
        }
        expectMessage(r, "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.")
    }

    @Test func savedOutputModifiedInPlace() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor.ones([3], requiresGrad: true)
            let y = x.sigmoid()
            y.mul_(2)
            y.sum().backward()
        }
        expectMessage(r, "one of the variables needed for gradient computation has been modified by an inplace operation: [torch.FloatTensor [3]], which is output 0 of Sigmoid, is at version 1; expected version 0 instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).")
    }

    @Test func savedInputModifiedInPlace() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor.ones([2, 3], requiresGrad: true)
            let v = x * 1
            let z = v * v
            v.add_(1)
            z.sum().backward()
        }
        expectMessage(r, "[torch.FloatTensor [2, 3]], which is output 0 of Add, is at version 1; expected version 0 instead.")
    }

    @Test func savedConstantModifiedInPlace() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor.ones([3, 4], requiresGrad: true)
            let w = Tensor.ones(4, 2)
            let z = x.mm(w)
            w.zero_()
            z.sum().backward()
        }
        expectMessage(r, "modified by an inplace operation: [torch.FloatTensor [4, 2]] is at version 1; expected version 0 instead.")
    }

    @Test func inPlaceOnLeafRequiringGrad() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Tensor.ones([3, 4], requiresGrad: true).add_(Tensor(1.0))
        }
        expectMessage(r, "a leaf Variable that requires grad is being used in an in-place operation.")
    }

    @Test func inPlaceOnViewOfLeafRequiringGrad() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor.ones([3, 4], requiresGrad: true)
            x[0] = Tensor(1.0)
        }
        expectMessage(r, "a view of a leaf Variable that requires grad is being used in an in-place operation.")
    }

    @Test func backwardOnNonScalar() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            (Tensor.ones([3, 4], requiresGrad: true) * 2).backward()
        }
        expectMessage(r, "grad can be implicitly created only for scalar outputs")
    }

    @Test func backwardGradientShape() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            (Tensor.ones([3], requiresGrad: true) * 2).backward(gradient: Tensor.ones(2))
        }
        expectMessage(r, "Mismatch in shape: grad_output[0] has a shape of torch.Size([2]) and output[0] has a shape of torch.Size([3]).")
    }

    @Test func backwardWithoutGrad() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Tensor.ones(3).sum().backward()
        }
        expectMessage(r, "element 0 of tensors does not require grad and does not have a grad_fn")
    }

    @Test func integerTensorRequiringGrad() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Tensor([1, 2]).requiresGrad_()
        }
        expectMessage(r, "only Tensors of floating point dtype can require gradients")
    }

    @Test func requiresGradOffOnNonLeaf() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            (Tensor.ones([2], requiresGrad: true) * 2).requiresGrad_(false)
        }
        expectMessage(r, "you can only change requires_grad flags of leaf variables.")
    }
}
