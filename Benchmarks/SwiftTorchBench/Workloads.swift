import Torch

// The named workloads. Each mirrors a function of the same name in Benchmarks/pytorch_twin.py.

/// One prepared workload: the call to time, and optionally a value that must not depend on the
/// thread count (computed once, before timing, from freshly seeded state).
struct WorkloadBody {
    var run: () -> Void
    var check: (() -> Double)? = nil
}

struct Workload {
    let name: String
    /// Floating-point operations per call, for GFLOP/s (nil: not reported).
    let flops: Double?
    let make: () -> WorkloadBody
}

/// The sum of a tensor's elements in Double, as a thread-count-independence check.
func checksum(_ t: Tensor) -> Double {
    withNoGrad { t.to(.float64).sum().item(as: Double.self) }
}

/// The course's CNN (API.md): conv 1→6 k5, conv 6→12 k5, linear 192→120→60→10, ReLU, 2x2 max pool.
final class CourseNetwork: Module, @unchecked Sendable {
    let conv1 = Conv2d(inChannels: 1, outChannels: 6, kernelSize: 5)
    let conv2 = Conv2d(inChannels: 6, outChannels: 12, kernelSize: 5)
    let fc1 = Linear(inFeatures: 12 * 4 * 4, outFeatures: 120)
    let fc2 = Linear(inFeatures: 120, outFeatures: 60)
    let out = Linear(inFeatures: 60, outFeatures: 10)

    override func forward(_ t: Tensor) -> Tensor {
        var t = maxPool2d(relu(conv1(t)), kernelSize: 2, stride: 2)
        t = maxPool2d(relu(conv2(t)), kernelSize: 2, stride: 2)
        t = relu(fc1(t.reshape(-1, 12 * 4 * 4)))
        return out(relu(fc2(t)))
    }
}

/// One optimisation step, as the course's training loop does it.
@inline(__always)
func trainStep(_ net: Module, _ opt: Optimizer, _ x: Tensor, _ y: Tensor) -> Tensor {
    let loss = crossEntropy(net(x), y)
    opt.zeroGrad()
    loss.backward()
    opt.step()
    return loss
}

func allWorkloads() -> [Workload] {
    var list: [Workload] = []

    // Square SGEMM, no autograd: C = A · B.
    for n in [64, 128, 256, 512, 1024, 2048] {
        list.append(Workload(name: "sgemm_\(n)", flops: 2 * Double(n * n * n)) {
            manualSeed(0)
            let a = Tensor.randn(n, n), b = Tensor.randn(n, n)
            return WorkloadBody(run: { blackHole(a.mm(b)) }, check: { checksum(a.mm(b)) })
        })
    }

    // The course network's skinny products, named M x N x K: A is M x K, B is K x N.
    for (m, n, k) in [(2400, 6, 25), (1600, 12, 150), (128, 10, 256)] {
        list.append(Workload(name: "mm_\(m)x\(n)x\(k)", flops: 2 * Double(m * n * k)) {
            manualSeed(0)
            let a = Tensor.randn(m, k), b = Tensor.randn(k, n)
            return WorkloadBody(run: { blackHole(a.mm(b)) }, check: { checksum(a.mm(b)) })
        })
    }

    // Per-op overhead: a 4-element add that records a graph node, and the same without grad.
    list.append(Workload(name: "add4_autograd", flops: nil) {
        manualSeed(0)
        let a = Tensor.randn([4], requiresGrad: true), b = Tensor.randn([4], requiresGrad: true)
        return WorkloadBody(run: { blackHole(a + b) })
    })
    list.append(Workload(name: "add4_nograd", flops: nil) {
        manualSeed(0)
        let a = Tensor.randn(4), b = Tensor.randn(4)
        return WorkloadBody(run: { blackHole(a + b) })
    })

    // The tutorial: Linear(4, 3) without bias, its weight replaced, called on a 4-vector.
    list.append(Workload(name: "linear4x3_call", flops: nil) {
        let inFeatures = Tensor([1, 2, 3, 4], dtype: .float32)
        let weightMatrix = Tensor([[1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 6]], dtype: .float32)
        let fc = Linear(inFeatures: 4, outFeatures: 3, bias: false)
        fc.weight = Parameter(weightMatrix)
        return WorkloadBody(run: { blackHole(fc(inFeatures)) }, check: { checksum(fc(inFeatures)) })
    })

    // Linear(784, 256) forward and backward at batch 128 (input without grad).
    list.append(Workload(name: "linear784x256_fwd_bwd_b128", flops: 2 * 2 * 128 * 784 * 256) {
        manualSeed(0)
        let fc = Linear(inFeatures: 784, outFeatures: 256)
        let x = Tensor.randn(128, 784), gy = Tensor.randn(128, 256)
        let run = {
            fc.zeroGrad()
            fc(x).backward(gradient: gy)
        }
        return WorkloadBody(run: run, check: { run(); return checksum(fc.weight.grad!) })
    })

    // MLP 784-256-10, cross-entropy, SGD(lr 0.01), batch 128.
    list.append(Workload(name: "mlp_sgd_step_b128", flops: 3 * 2 * 128 * (784 * 256 + 256 * 10)) {
        func setup() -> (Module, Optimizer, Tensor, Tensor) {
            manualSeed(0)
            let net = Sequential(Linear(inFeatures: 784, outFeatures: 256), ReLU(), Linear(inFeatures: 256, outFeatures: 10))
            let opt = SGD(net.parameters(), lr: 0.01)
            return (net, opt, Tensor.randn(128, 784), Tensor.randint(0, 10, [128]))
        }
        let (net, opt, x, y) = setup()
        return WorkloadBody(run: { blackHole(trainStep(net, opt, x, y)) }, check: {
            let (net, opt, x, y) = setup()
            var loss = 0.0
            for _ in 0..<3 { loss = Double(trainStep(net, opt, x, y).item()) }
            return loss
        })
    })

    // Conv2d alone, as in the course network: forward (no grad) and forward+backward.
    let convs: [(name: String, input: [Int], out: Int, inputGrad: Bool)] = [
        ("conv1", [100, 1, 28, 28], 6, false),
        ("conv2", [100, 6, 12, 12], 12, true),
    ]
    for c in convs {
        let outSide = c.input[2] - 4
        let flops = 2 * Double(c.input[0] * c.out * c.input[1] * 25 * outSide * outSide)
        list.append(Workload(name: "\(c.name)_fwd_b100", flops: flops) {
            manualSeed(0)
            let conv = Conv2d(inChannels: c.input[1], outChannels: c.out, kernelSize: 5)
            let x = Tensor.randn(c.input)
            return WorkloadBody(run: { withNoGrad { blackHole(conv(x)) } },
                                check: { withNoGrad { checksum(conv(x)) } })
        })
        // backward: weight gradient, plus the input gradient where the input requires grad
        list.append(Workload(name: "\(c.name)_fwd_bwd_b100", flops: flops * (c.inputGrad ? 3 : 2)) {
            manualSeed(0)
            let conv = Conv2d(inChannels: c.input[1], outChannels: c.out, kernelSize: 5)
            let x = Tensor.randn(c.input, requiresGrad: c.inputGrad)
            let gy = Tensor.randn([c.input[0], c.out, outSide, outSide])
            let run = {
                conv.zeroGrad()
                x.grad = nil
                conv(x).backward(gradient: gy)
            }
            // the weight gradient sums over the batch: it shows whether threads change the order
            return WorkloadBody(run: run, check: { run(); return checksum(conv.weight.grad!) })
        })
    }

    // The course CNN: one Adam(lr 0.01) step at batch 100 on random images.
    list.append(Workload(name: "cnn_adam_step_b100", flops: nil) {
        func setup() -> (Module, Optimizer, Tensor, Tensor) {
            manualSeed(50)
            let net = CourseNetwork()
            let opt = Adam(net.parameters(), lr: 0.01)
            return (net, opt, Tensor.rand(100, 1, 28, 28), Tensor.randint(0, 10, [100]))
        }
        let (net, opt, x, y) = setup()
        return WorkloadBody(run: { blackHole(trainStep(net, opt, x, y)) }, check: {
            let (net, opt, x, y) = setup()
            var loss = 0.0
            for _ in 0..<3 { loss = Double(trainStep(net, opt, x, y).item()) }
            return loss
        })
    })

    return list
}
