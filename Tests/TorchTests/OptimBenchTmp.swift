import Foundation
import Testing
@testable import Torch

@Suite struct OptimBenchTmp {
    func time(_ label: String, _ iters: Int, _ body: () -> Void) {
        body()
        let t0 = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<iters { body() }
        let dt = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6 / Double(iters)
        print("BENCH \(label): \(String(format: "%.3f", dt)) ms/step")
    }

    func composedAdam(_ params: [Parameter], _ m: [Tensor], _ v: [Tensor], step: Int) {
        withNoGrad {
            let lr = 1e-3, b1 = 0.9, b2 = 0.999, eps = 1e-8
            let bc1 = 1 - Foundation.pow(b1, Double(step)), bc2s = Foundation.pow(1 - Foundation.pow(b2, Double(step)), 0.5)
            for (i, p) in params.enumerated() {
                let g = p.grad!
                m[i].mul_(b1).add_(g * (1 - b1))
                v[i].mul_(b2).add_(g * g * (1 - b2))
                let denom = v[i].sqrt() / bc2s + eps
                p.sub_(m[i] / denom * (lr / bc1))
            }
        }
    }

    func composedSGD(_ params: [Parameter], _ bufs: [Tensor]) {
        withNoGrad {
            for (i, p) in params.enumerated() {
                let g = p.grad!
                bufs[i].mul_(0.9).add_(g)
                p.sub_(bufs[i] * 0.01)
            }
        }
    }

    @Test func bench() {
        for (count, size) in [(1, 4_000_000), (200, 2_000), (2000, 16)] {
            let params = (0..<count).map { _ in Parameter(Tensor.randn([size])) }
            for p in params { p.grad = Tensor.randn([size]) }
            let label = "\(count)x\(size)"
            let adam = Adam(params, lr: 1e-3)
            time("fused Adam \(label)", 20) { adam.step() }
            let m = params.map { Tensor.zeros($0.shape) }, v = params.map { Tensor.zeros($0.shape) }
            var s = 0
            time("composed Adam \(label)", 20) { s += 1; composedAdam(params, m, v, step: s) }
            let sgd = SGD(params, lr: 0.01, momentum: 0.9)
            time("fused SGD momentum \(label)", 20) { sgd.step() }
            let bufs = params.map { Tensor.zeros($0.shape) }
            time("composed SGD momentum \(label)", 20) { composedSGD(params, bufs) }
        }
    }
}
