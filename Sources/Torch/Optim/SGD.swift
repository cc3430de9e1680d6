/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum, weight
/// decay and maximisation, as `torch.optim.SGD` (same formulas, same float rounding).
///
/// Per parameter, with `g` its gradient:
/// ```text
/// g = maximize ? -g : g
/// if weightDecay != 0:  g = g + weightDecay * p
/// if momentum != 0:     buf = (first step) ? g : momentum * buf + (1 - dampening) * g
///                       g = nesterov ? g + momentum * buf : buf
/// p = p - lr * g
/// ```
///
/// ```swift
/// let opt = SGD(net.parameters(), lr: 0.1, momentum: 0.9, nesterov: true)
/// opt.zeroGrad()
/// loss.backward()
/// opt.step()
/// ```
///
/// State per parameter (only when `momentum != 0`): `momentum_buffer`.
public final class SGD: Optimizer {
    /// SGD over one group of parameters.
    public convenience init(_ params: [Parameter], lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
                            weightDecay: Double = 0, nesterov: Bool = false, maximize: Bool = false) {
        self.init([ParamGroup(params: params)], lr: lr, momentum: momentum, dampening: dampening,
                  weightDecay: weightDecay, nesterov: nesterov, maximize: maximize)
    }

    /// SGD over several groups; the arguments are the defaults for keys a group does not set.
    ///
    /// ```swift
    /// let opt = SGD([ParamGroup(params: [fc.weight], lr: 0.1), ParamGroup(params: [fc.bias!])], lr: 0.01)
    /// ```
    public init(_ groups: [ParamGroup], lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false, maximize: Bool = false) {
        if lr < 0 { fatalError("Invalid learning rate: \(lr)") }
        if momentum < 0 { fatalError("Invalid momentum value: \(momentum)") }
        if weightDecay < 0 { fatalError("Invalid weight_decay value: \(weightDecay)") }
        if nesterov && (momentum <= 0 || dampening != 0) {
            fatalError("Nesterov momentum requires a momentum and zero dampening")
        }
        super.init(groups, defaults: [
            "lr": .number(lr), "momentum": .number(momentum), "dampening": .number(dampening),
            "weight_decay": .number(weightDecay), "nesterov": .bool(nesterov), "maximize": .bool(maximize),
            "foreach": .null, "differentiable": false, "fused": .null,
        ])
    }

    /// One SGD update of every parameter that has a gradient, in place.
    public override func step() {
        withNoGrad {
            for group in paramGroups {
                let scalars = SGDScalars(
                    lr: group.lr, momentum: group.double("momentum"), dampening: group.double("dampening"),
                    weightDecay: group.double("weight_decay"), nesterov: group.bool("nesterov"),
                    maximize: group.bool("maximize"))
                for p in group.params {
                    guard let grad = p.grad else { continue }
                    var buffer: Tensor? = nil
                    var fresh = false
                    if scalars.momentum != 0 {
                        buffer = state[p]["momentum_buffer"]
                        if buffer == nil {
                            // The first step's buffer is a copy of the (decayed) gradient.
                            let created = Tensor(empty: p.shape, dtype: p.dtype)
                            state[p]["momentum_buffer"] = created
                            buffer = created
                            fresh = true
                        }
                    }
                    FusedUpdates.sgd(param: p, grad: grad, buffer: buffer, freshBuffer: fresh, scalars)
                }
            }
        }
    }
}
