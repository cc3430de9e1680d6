/// Adam, as `torch.optim.Adam`, with PyTorch 2.x's single-tensor update: the same float
/// operations in the same order, so float32 results agree with PyTorch's to rounding.
///
/// Per parameter at step `t` (counting from 1), with `g` its gradient:
/// ```text
/// g = maximize ? -g : g
/// if weightDecay != 0:  decoupled ? (p = p * (1 - lr * weightDecay)) : (g = g + weightDecay * p)
/// m = lerp(m, g, 1 - beta1);   v = beta2 * v + (1 - beta2) * g * g
/// if amsgrad: vMax = max(vMax, v), used in place of v below
/// p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
/// ```
///
/// ```swift
/// let opt = Adam(net.parameters(), lr: 1e-3, betas: (0.9, 0.999))
/// opt.zeroGrad()
/// loss.backward()
/// opt.step()
/// ```
///
/// State per parameter: `step` (a 0-d float32 tensor, as PyTorch keeps it), `exp_avg`,
/// `exp_avg_sq`, and with `amsgrad` also `max_exp_avg_sq`.
public class Adam: Optimizer {
    /// AdamW always decouples weight decay, whatever a loaded state says (as PyTorch's AdamW).
    let alwaysDecoupled: Bool

    /// Adam over one group of parameters.
    public convenience init(_ params: [Parameter], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false,
                            maximize: Bool = false, decoupledWeightDecay: Bool = false) {
        self.init([ParamGroup(params: params)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
                  amsgrad: amsgrad, maximize: maximize, decoupledWeightDecay: decoupledWeightDecay)
    }

    /// Adam over several groups; the arguments are the defaults for keys a group does not set
    /// (`"lr"`, `"betas"`, `"eps"`, `"weight_decay"`, `"amsgrad"`, `"maximize"`, ...).
    ///
    /// ```swift
    /// let opt = Adam([ParamGroup(params: [fc.weight], lr: 1e-2), ParamGroup(params: [fc.bias!])], lr: 1e-3)
    /// ```
    public convenience init(_ groups: [ParamGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0, amsgrad: Bool = false,
                            maximize: Bool = false, decoupledWeightDecay: Bool = false) {
        self.init(groups: groups, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad,
                  maximize: maximize, decoupledWeightDecay: decoupledWeightDecay, alwaysDecoupled: false)
    }

    init(groups: [ParamGroup], lr: Double, betas: (Double, Double), eps: Double, weightDecay: Double,
         amsgrad: Bool, maximize: Bool, decoupledWeightDecay: Bool, alwaysDecoupled: Bool) {
        if !(lr >= 0) { fatalError("Invalid learning rate: \(lr)") }
        if !(eps >= 0) { fatalError("Invalid epsilon value: \(eps)") }
        if !(betas.0 >= 0 && betas.0 < 1) { fatalError("Invalid beta parameter at index 0: \(betas.0)") }
        if !(betas.1 >= 0 && betas.1 < 1) { fatalError("Invalid beta parameter at index 1: \(betas.1)") }
        if !(weightDecay >= 0) { fatalError("Invalid weight_decay value: \(weightDecay)") }
        self.alwaysDecoupled = alwaysDecoupled
        super.init(groups, defaults: [
            "lr": .number(lr), "betas": [.number(betas.0), .number(betas.1)], "eps": .number(eps),
            "weight_decay": .number(weightDecay), "amsgrad": .bool(amsgrad), "maximize": .bool(maximize),
            "foreach": .null, "capturable": false, "differentiable": false, "fused": .null,
            "decoupled_weight_decay": .bool(decoupledWeightDecay || alwaysDecoupled),
        ])
    }

    /// One Adam update of every parameter that has a gradient, in place.
    public override func step() {
        withNoGrad {
            for group in paramGroups {
                guard let betas = group["betas"]?.doubles, betas.count == 2 else {
                    fatalError("parameter group has no 'betas' pair")
                }
                let scalars = AdamScalars(
                    lr: group.lr, beta1: betas[0], beta2: betas[1], eps: group.double("eps"),
                    weightDecay: group.double("weight_decay"),
                    decoupledWeightDecay: alwaysDecoupled || (group["decoupled_weight_decay"]?.bool ?? false),
                    amsgrad: group.bool("amsgrad"), maximize: group.bool("maximize"))
                for p in group.params {
                    guard let grad = p.grad else { continue }
                    var entries = state[p]
                    if entries.isEmpty {
                        entries["step"] = Tensor.zeros([], dtype: .float32)
                        entries["exp_avg"] = Tensor.zeros(p.shape, dtype: p.dtype)
                        entries["exp_avg_sq"] = Tensor.zeros(p.shape, dtype: p.dtype)
                        if scalars.amsgrad { entries["max_exp_avg_sq"] = Tensor.zeros(p.shape, dtype: p.dtype) }
                        state[p] = entries
                    }
                    guard let stepTensor = entries["step"], let expAvg = entries["exp_avg"],
                          let expAvgSq = entries["exp_avg_sq"] else {
                        fatalError("Adam state of a parameter lacks step, exp_avg or exp_avg_sq")
                    }
                    let maxExpAvgSq = entries["max_exp_avg_sq"]
                    if scalars.amsgrad && maxExpAvgSq == nil { fatalError("amsgrad is on but the state lacks max_exp_avg_sq") }
                    let step = Adam.incrementStep(stepTensor)
                    FusedUpdates.adam(param: p, grad: grad, expAvg: expAvg, expAvgSq: expAvgSq,
                                      maxExpAvgSq: maxExpAvgSq, step: step, scalars)
                }
            }
        }
    }

    /// `step_t += 1` in the step tensor's own dtype; returns the new value, as `step_t.item()`.
    static func incrementStep(_ t: Tensor) -> Double {
        guard t.numel == 1 else { fatalError("Adam's step state must hold one value, got shape \(Shape.describe(t.shape))") }
        defer { t.bumpVersion() }
        switch t.dtype {
        case .float32: let p = t.pointer(Float.self); p[0] += 1; return Double(p[0])
        case .float64: let p = t.pointer(Double.self); p[0] += 1; return p[0]
        case .int64: let p = t.pointer(Int64.self); p[0] += 1; return Double(p[0])
        case .int32: let p = t.pointer(Int32.self); p[0] += 1; return Double(p[0])
        default: fatalError("Adam's step state has unsupported dtype \(t.dtype)")
        }
    }
}

/// AdamW, as `torch.optim.AdamW`: Adam with decoupled weight decay (`p *= 1 - lr * weightDecay`
/// before the Adam update), default `weightDecay` 1e-2.
///
/// ```swift
/// let opt = AdamW(net.parameters(), lr: 1e-3, weightDecay: 1e-2)
/// opt.step()
/// ```
public final class AdamW: Adam {
    /// AdamW over one group of parameters.
    public convenience init(_ params: [Parameter], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 1e-2, amsgrad: Bool = false,
                            maximize: Bool = false) {
        self.init([ParamGroup(params: params)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
                  amsgrad: amsgrad, maximize: maximize)
    }

    /// AdamW over several groups; the arguments are the defaults for keys a group does not set.
    ///
    /// ```swift
    /// let opt = AdamW([ParamGroup(params: decayed), ParamGroup(params: biases, options: ["weight_decay": 0])])
    /// ```
    public init(_ groups: [ParamGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                eps: Double = 1e-8, weightDecay: Double = 1e-2, amsgrad: Bool = false, maximize: Bool = false) {
        super.init(groups: groups, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, amsgrad: amsgrad,
                   maximize: maximize, decoupledWeightDecay: true, alwaysDecoupled: true)
    }
}
