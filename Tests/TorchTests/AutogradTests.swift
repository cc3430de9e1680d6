import Foundation
import Testing

@testable import Torch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Autograd behaviour beyond single ops: accumulation, retained graphs and grads, hooks, grad
// mode, graph structure, long chains and memory over a training-like loop.

private func values(_ t: Tensor?) -> [Double] { t?.scalars(as: Double.self) ?? [] }

@Suite("Autograd behaviour")
struct AutogradTests {
    @Test func gradAccumulatesAcrossBackwardCalls() {
        let x = Tensor([1.0, 2.0, 3.0], requiresGrad: true)
        (x * x).sum().backward()
        #expect(values(x.grad) == [2, 4, 6])
        (x * 3).sum().backward()
        #expect(values(x.grad) == [5, 7, 9])
        x.grad = nil
        x.sum().backward()
        #expect(values(x.grad) == [1, 1, 1])
    }

    @Test func gradIsAFreshTensor() {
        // The first accumulated gradient must not alias the upstream gradient.
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        let g = Tensor([1.0, 1.0])
        (x * 1).backward(gradient: g)
        (x * 1).backward(gradient: g)
        #expect(values(g) == [1, 1])
        #expect(values(x.grad) == [2, 2])
    }

    @Test func retainGraphAllowsASecondBackward() {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        let y = (x.exp() * x).sum()
        y.backward(retainGraph: true)
        let first = values(x.grad)
        y.backward()
        let second = values(x.grad)
        for (a, b) in zip(first, second) { #expect(Swift.abs(2 * a - b) < 1e-5) }
    }

    @Test func retainGradOnNonLeaf() {
        let x = Tensor([1.0, 2.0, 3.0], requiresGrad: true)
        let y = x * 2
        let z = x + 1
        y.retainGrad()
        #expect(y.retainsGrad && !z.retainsGrad)
        (y * y + z).sum().backward()
        #expect(values(y.grad) == [4, 8, 12])
        #expect(z.grad == nil)
        #expect(values(x.grad) == [9, 17, 25])
        x.retainGrad()  // a no-op on leaves
        #expect(!x.retainsGrad)
    }

    @Test func leafHookReplacesOrKeepsGradient() {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        var seen: [[Double]] = []
        x.registerHook { g in seen.append(values(g)); return nil }
        let doubling = x.registerHook { g in g * 2 }
        (x * 3).sum().backward()
        #expect(seen == [[3, 3]])
        #expect(values(x.grad) == [6, 6])
        doubling.remove()
        doubling.remove()  // removing twice is harmless
        x.grad = nil
        (x * 3).sum().backward()
        #expect(values(x.grad) == [3, 3])
        #expect(seen.count == 2)
    }

    @Test func leafKeepsOneAccumulateGradAndItsHooksOutliveIt() {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        // As in PyTorch while a graph holds it: every op on the leaf shares one AccumulateGrad.
        let a = x * 2, b = x + 1
        #expect(a.gradFn!.nextFunctions[0].node === b.gradFn!.nextFunctions[0].node)
        #expect(a.gradFn!.nextFunctions[0].node?.variable === x)
        // A graph keeps its leaves alive, as PyTorch's does: the hook runs after the last user reference is gone.
        var ran = 0
        var loss: Tensor
        do {
            let leaf = Tensor([3.0], requiresGrad: true)
            leaf.registerHook { _ in ran += 1; return nil }
            loss = (leaf * 4).sum()
        }
        loss.backward()
        #expect(ran == 1)
    }

    @Test func concurrentFirstUseOfALeafSharesOneAccumulateGrad() {
        for _ in 0..<100 {
            nonisolated(unsafe) let w = Tensor([1.0, 2.0], requiresGrad: true)
            let slots = UnsafeMutableBufferPointer<Node?>.allocate(capacity: 2)
            slots.initialize(repeating: nil)
            nonisolated(unsafe) let shared = slots
            DispatchQueue.concurrentPerform(iterations: 2) { i in
                let y = w * Double(i + 1)
                shared[i] = y.gradFn!.nextFunctions[0].node
            }
            #expect(slots[0] != nil && slots[0] === slots[1])
            slots.deinitialize()
            slots.deallocate()
        }
    }

    @Test func nonLeafHookChangesWhatFlowsUpstream() {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        let y = x * x
        let handle = y.registerHook { g in g * 10 }
        y.sum().backward(retainGraph: true)
        #expect(values(x.grad) == [20, 40])
        handle.remove()
        x.grad = nil
        y.sum().backward()
        #expect(values(x.grad) == [2, 4])
    }

    @Test func gradModeSwitches() {
        let x = Tensor([1.0], requiresGrad: true)
        #expect(isGradEnabled)
        let y = withNoGrad { () -> Tensor in
            #expect(!isGradEnabled)
            let inner = withGrad { x * 2 }
            #expect(inner.requiresGrad && inner.gradFn?.name == "MulBackward0")
            #expect(!isGradEnabled)
            return x * 2
        }
        #expect(isGradEnabled)
        #expect(!y.requiresGrad && y.gradFn == nil && y.isLeaf)
        // In-place updates of a leaf are allowed without grad, as an optimizer step does.
        withNoGrad { x.sub_(Tensor([0.5])) }
        #expect(values(x) == [0.5] && x.isLeaf && x.requiresGrad)
    }

    @Test func gradModeIsPerThread() {
        final class Box: @unchecked Sendable { var enabled = false }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        withNoGrad {
            let thread = Thread { box.enabled = isGradEnabled; done.signal() }
            thread.start()
            done.wait()
        }
        #expect(box.enabled)
    }

    @Test func requiresGradUnderscoreReturnsSameTensor() {
        let x = Tensor([1.0, 2.0])
        #expect(!x.requiresGrad)
        #expect(x.requiresGrad_() === x)
        #expect(x.requiresGrad)
        x.requiresGrad_(false)
        #expect(!x.requiresGrad)
        x.requiresGrad = true
        #expect(x.requiresGrad && x.isLeaf)
        let y = x * 2
        #expect(y.requiresGrad_() === y)  // true on a non-leaf is allowed
    }

    @Test func detachSharesDataWithoutHistory() {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        let y = x * 2
        let d = y.detach()
        #expect(!d.requiresGrad && d.gradFn == nil && d.isLeaf)
        d.mul_(Tensor(10.0))  // writes through to y's storage
        #expect(values(y) == [20, 40])
        let e = x.detach()
        e.add_(Tensor(1.0))
        #expect(values(x) == [2, 3])
    }

    @Test func nextFunctionsStructure() {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        let w = Tensor([3.0, 4.0])
        let a = x + 2
        #expect(a.gradFn?.name == "AddBackward0")
        let next = a.gradFn!.nextFunctions
        #expect(next.count == 2)
        #expect(next[0].node?.name == "AccumulateGrad" && next[0].inputNr == 0)
        #expect(next[1].node == nil)
        let b = x * w
        #expect(b.gradFn!.nextFunctions.map { $0.node?.name } == ["AccumulateGrad", nil])
        // one AccumulateGrad per leaf while a graph holds it, as in PyTorch
        #expect(a.gradFn!.nextFunctions[0].node === b.gradFn!.nextFunctions[0].node)
        let loss = (a * b).sum()
        #expect(loss.gradFn?.name == "SumBackward0")
        #expect(loss.gradFn!.nextFunctions.map { $0.node?.name } == ["MulBackward0"])
        #expect(loss.gradFn!.nextFunctions[0].node!.nextFunctions.map { $0.node?.name } == ["AddBackward0", "MulBackward0"])
        #expect(x.gradFn == nil && x.isLeaf && !a.isLeaf)
        #expect(a.gradFn!.description == "<AddBackward0 object>")
    }

    @Test func inPlaceThroughViewRewritesBaseHistory() {
        // A buffer without grad becomes part of the graph when a view of it is written from w.
        let w = Tensor([1.0, 2.0, 3.0], requiresGrad: true)
        let a = Tensor.zeros(2, 3)
        a[1] = w * 2
        #expect(a.requiresGrad && a.gradFn?.name == "CopySlices")
        #expect(a.gradFn!.nextFunctions.map { $0.node?.name } == [nil, "MulBackward0"])
        (a * a).sum().backward()
        #expect(values(w.grad) == [8, 16, 24])
        // Views share the version counter with their base.
        let b = Tensor.zeros(2, 2)
        let row = b[0]
        row.add_(Tensor(1.0))
        #expect(b.storage.version == 1 && values(b) == [1, 1, 0, 0])
    }

    @Test func integerResultsNeverRequireGrad() {
        let x = Tensor([[1.5, -2.0], [0.5, 3.0]], requiresGrad: true)
        let results: [Tensor] = [
            x.argmax(), x.argmin(dim: 1), x.max(dim: 0).indices, x.min(dim: 1).indices,
            x.gt(0), x > x * 2, x .== x, x.to(.int64), x.to(.bool), (x > 0).sum(),
            x.floor().to(.int32), Tensor.where(x > 0, Tensor([1, 2]), Tensor([3, 4])),
        ]
        for (i, r) in results.enumerated() {
            #expect(!r.dtype.isFloatingPoint, "result \(i)")
            #expect(!r.requiresGrad && r.gradFn == nil, "result \(i) requires grad")
        }
        #expect(x.max(dim: 0).values.requiresGrad)
    }

    @Test func longChainBackwardAndRelease() {
        // The engine walks the graph iteratively and nodes unlink iteratively when freed, so
        // neither backward nor dropping the graph recurses 100,000 deep.
        let x = Tensor([1.0], dtype: .float64, requiresGrad: true)
        var y = x
        for i in 0..<100_000 { y = i % 2 == 0 ? y.neg() : y.t() }
        #expect(values(y) == [1] && y.gradFn?.name == "TBackward0")
        weak var head = y.gradFn
        y.backward()
        #expect(values(x.grad) == [1])
        y = x
        #expect(head == nil)
    }

    @Test func graphIsFreedAfterBackward() {
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        weak var node: Node?
        weak var intermediate: Tensor?
        do {
            let y = x.exp()
            intermediate = y
            let loss = (y * y).sum()
            node = loss.gradFn
            loss.backward()
        }
        #expect(node == nil && intermediate == nil)
        #expect(x.grad != nil)
    }

    @Test func memoryStaysFlatOverTrainingLoop() async {
        // In a child process, so that other tests' allocations don't show up in the count.
        await #expect(processExitsWith: .success) {
            func residentBytes() -> Int {
                guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
                let fields = text.split(separator: " ")
                return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
            }
            let x = Tensor.randn([16], generator: Generator(seed: 1))
            let w = Tensor.randn([16], generator: Generator(seed: 2), requiresGrad: true)
            func step() {
                let loss = (w * x).tanh().sum()
                loss.backward()
                withNoGrad { w.sub_(w.grad! * 0.01) }
                w.grad = nil
            }
            for _ in 0..<500 { step() }
            let before = residentBytes()
            for _ in 0..<10_000 { step() }
            let growth = residentBytes() - before
            // Leaking even one small graph per step would add megabytes; allow allocator slack.
            precondition(growth < 4 << 20, "resident memory grew by \(growth) bytes over 10,000 steps")
        }
    }
}
