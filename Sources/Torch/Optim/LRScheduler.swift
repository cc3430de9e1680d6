import Foundation

/// The base class of learning-rate schedulers, as `torch.optim.lr_scheduler.LRScheduler`.
///
/// Creating a scheduler records each group's `initial_lr` and takes an initial step (epoch 0).
/// Each `step()` then advances `lastEpoch` and sets every group's `lr` from `getLR()`, which
/// uses PyTorch's recursive (chainable) formulas, so schedulers compose as in PyTorch.
///
/// ```swift
/// let opt = SGD(net.parameters(), lr: 0.1)
/// let scheduler = StepLR(opt, stepSize: 30, gamma: 0.1)
/// for epoch in 0..<100 {
///     train(epoch)
///     scheduler.step()
/// }
/// scheduler.getLastLR()   // [0.0001]
/// ```
open class LRScheduler {
    /// The optimizer whose groups' learning rates this scheduler sets.
    public let optimizer: Optimizer
    /// The index of the last epoch stepped (0 right after creation), as `last_epoch`.
    public internal(set) var lastEpoch: Int
    /// Each group's `initial_lr`, as `base_lrs`.
    public internal(set) var baseLRs: [Double]
    /// How many times `step()` ran, counting the initial step, as `_step_count`.
    public internal(set) var stepCount = 0
    /// True only during the initial step taken by `init`, as `_is_initial`.
    public internal(set) var isInitial = false
    var lastLR: [Double] = []

    /// Attaches to `optimizer`; `lastEpoch` other than -1 resumes a schedule (each group must
    /// then have `initial_lr`).
    ///
    /// ```swift
    /// let scheduler = ExponentialLR(opt, gamma: 0.9)   // subclasses call this
    /// ```
    public init(_ optimizer: Optimizer, lastEpoch: Int = -1) {
        self.optimizer = optimizer
        if lastEpoch == -1 {
            for i in optimizer.paramGroups.indices where optimizer.paramGroups[i]["initial_lr"] == nil {
                optimizer.paramGroups[i]["initial_lr"] = .number(optimizer.paramGroups[i].lr)
            }
        } else {
            for (i, group) in optimizer.paramGroups.enumerated() where group["initial_lr"] == nil {
                fatalError("param 'initial_lr' is not specified in param_groups[\(i)] when resuming an optimizer")
            }
        }
        baseLRs = optimizer.paramGroups.map { $0.double("initial_lr") }
        self.lastEpoch = lastEpoch
        initialStep()
    }

    private func initialStep() {
        stepCount = 0
        isInitial = true
        step()
        isInitial = false
    }

    /// The learning rates of the next epoch (`lastEpoch` already advanced), computed from the
    /// groups' current `lr`s. Override it; call `step()`, not this.
    open func getLR() -> [Double] {
        fatalError("\(type(of: self)) must override getLR()")
    }

    /// Advances one epoch and sets each group's `lr`. Call it after `optimizer.step()`.
    ///
    /// ```swift
    /// opt.step()
    /// scheduler.step()
    /// ```
    public func step() {
        stepCount += 1
        lastEpoch += 1
        let values = getLR()
        precondition(values.count == optimizer.paramGroups.count, "getLR() must return one rate per parameter group")
        for (i, lr) in values.enumerated() { optimizer.paramGroups[i].lr = lr }
        lastLR = optimizer.paramGroups.map(\.lr)
    }

    /// The learning rates set by the most recent step, one per group, as `get_last_lr()`.
    ///
    /// ```swift
    /// scheduler.getLastLR()   // [0.1, 0.01]
    /// ```
    public func getLastLR() -> [Double] { lastLR }

    /// The current learning rate of every group (helper for subclasses).
    public var groupLRs: [Double] { optimizer.paramGroups.map(\.lr) }

    /// The scheduler's state (everything but the optimizer), as `state_dict()`, with PyTorch's
    /// key names: `last_epoch`, `base_lrs`, `_step_count`, `_last_lr`, `_is_initial` and the
    /// subclass's own settings (e.g. `step_size`, `gamma`).
    ///
    /// ```swift
    /// let saved = scheduler.stateDict()   // ["last_epoch": 5, "gamma": 0.1, ...]
    /// ```
    public func stateDict() -> [String: Hyperparameter] {
        var out = settings()
        out["last_epoch"] = .number(Double(lastEpoch))
        out["base_lrs"] = .list(baseLRs.map { .number($0) })
        out["_step_count"] = .number(Double(stepCount))
        out["_last_lr"] = .list(lastLR.map { .number($0) })
        out["_is_initial"] = .bool(isInitial)
        out["_get_lr_called_within_step"] = false
        return out
    }

    /// Restores a state saved by `stateDict()`, as `load_state_dict` (unknown keys are ignored).
    ///
    /// ```swift
    /// scheduler.loadStateDict(saved)
    /// ```
    public func loadStateDict(_ saved: [String: Hyperparameter]) {
        if let v = saved["last_epoch"]?.int { lastEpoch = v }
        if let v = saved["base_lrs"]?.doubles { baseLRs = v }
        if let v = saved["_step_count"]?.int { stepCount = v }
        if let v = saved["_last_lr"]?.doubles { lastLR = v }
        if let v = saved["_is_initial"]?.bool { isInitial = v }
        applySettings(saved)
    }

    /// The subclass's settings for `stateDict()`; override with `applySettings(_:)`.
    open func settings() -> [String: Hyperparameter] { [:] }
    /// Restores the subclass's settings from a loaded state.
    open func applySettings(_ saved: [String: Hyperparameter]) {}
}

/// Multiplies each group's learning rate by `gamma` every `stepSize` epochs, as `StepLR`.
///
/// ```swift
/// let scheduler = StepLR(opt, stepSize: 30, gamma: 0.1)   // 0.05 -> 0.005 at epoch 30 -> ...
/// ```
public final class StepLR: LRScheduler {
    /// The period of decay, in epochs.
    public private(set) var stepSize: Int
    /// The decay factor.
    public private(set) var gamma: Double

    /// Decays by `gamma` every `stepSize` epochs.
    public init(_ optimizer: Optimizer, stepSize: Int, gamma: Double = 0.1, lastEpoch: Int = -1) {
        precondition(stepSize > 0, "step_size must be positive")
        self.stepSize = stepSize
        self.gamma = gamma
        super.init(optimizer, lastEpoch: lastEpoch)
    }

    /// The current rates, times `gamma` when `lastEpoch` is a non-zero multiple of `stepSize`.
    public override func getLR() -> [Double] {
        if lastEpoch == 0 || lastEpoch % stepSize != 0 { return groupLRs }
        return groupLRs.map { $0 * gamma }
    }

    /// This scheduler\'s settings, under PyTorch\'s attribute names.
    public override func settings() -> [String: Hyperparameter] {
        ["step_size": .number(Double(stepSize)), "gamma": .number(gamma)]
    }
    /// Restores the settings saved by `settings()`.
    public override func applySettings(_ saved: [String: Hyperparameter]) {
        if let v = saved["step_size"]?.int { stepSize = v }
        if let v = saved["gamma"]?.double { gamma = v }
    }
}

/// Multiplies each group's learning rate by `gamma` at each milestone epoch, as `MultiStepLR`
/// (a milestone listed n times multiplies by `gamma^n`).
///
/// ```swift
/// let scheduler = MultiStepLR(opt, milestones: [30, 80], gamma: 0.1)
/// ```
public final class MultiStepLR: LRScheduler {
    /// How many times each milestone epoch was listed (PyTorch keeps a Counter).
    public private(set) var milestones: [Int: Int]
    /// The decay factor.
    public private(set) var gamma: Double

    /// Decays by `gamma` at each epoch in `milestones`.
    public init(_ optimizer: Optimizer, milestones: [Int], gamma: Double = 0.1, lastEpoch: Int = -1) {
        var counts: [Int: Int] = [:]
        for m in milestones { counts[m, default: 0] += 1 }
        self.milestones = counts
        self.gamma = gamma
        super.init(optimizer, lastEpoch: lastEpoch)
    }

    /// The current rates, times `gamma^count` at a milestone.
    public override func getLR() -> [Double] {
        guard let count = milestones[lastEpoch] else { return groupLRs }
        let factor = Foundation.pow(gamma, Double(count))
        return groupLRs.map { $0 * factor }
    }

    /// This scheduler\'s settings, under PyTorch\'s attribute names.
    public override func settings() -> [String: Hyperparameter] {
        let expanded = milestones.keys.sorted().flatMap { m in Array(repeating: Hyperparameter.number(Double(m)), count: milestones[m]!) }
        return ["milestones": .list(expanded), "gamma": .number(gamma)]
    }
    /// Restores the settings saved by `settings()`.
    public override func applySettings(_ saved: [String: Hyperparameter]) {
        if let list = saved["milestones"]?.list {
            var counts: [Int: Int] = [:]
            for m in list.compactMap(\.int) { counts[m, default: 0] += 1 }
            milestones = counts
        }
        if let v = saved["gamma"]?.double { gamma = v }
    }
}

/// Multiplies each group's learning rate by `gamma` every epoch, as `ExponentialLR`.
///
/// ```swift
/// let scheduler = ExponentialLR(opt, gamma: 0.95)
/// ```
public final class ExponentialLR: LRScheduler {
    /// The decay factor.
    public private(set) var gamma: Double

    /// Decays by `gamma` every epoch.
    public init(_ optimizer: Optimizer, gamma: Double, lastEpoch: Int = -1) {
        self.gamma = gamma
        super.init(optimizer, lastEpoch: lastEpoch)
    }

    /// The current rates times `gamma` (unchanged on the initial step).
    public override func getLR() -> [Double] {
        if isInitial { return groupLRs }
        return groupLRs.map { $0 * gamma }
    }

    /// This scheduler\'s settings, under PyTorch\'s attribute names.
    public override func settings() -> [String: Hyperparameter] { ["gamma": .number(gamma)] }
    /// Restores the settings saved by `settings()`.
    public override func applySettings(_ saved: [String: Hyperparameter]) {
        if let v = saved["gamma"]?.double { gamma = v }
    }
}

/// Cosine annealing from each group's initial rate down to `etaMin` over `tMax` epochs (and
/// back up, periodically, without restarts), as `CosineAnnealingLR`, using PyTorch's
/// recursive form:
/// ```text
/// lr(t) = etaMin + (lr(t-1) - etaMin) * (1 + cos(pi * t / tMax)) / (1 + cos(pi * (t-1) / tMax))
/// ```
///
/// ```swift
/// let scheduler = CosineAnnealingLR(opt, tMax: 100, etaMin: 1e-5)
/// ```
public final class CosineAnnealingLR: LRScheduler {
    /// The half period, in epochs (`T_max`).
    public private(set) var tMax: Int
    /// The minimum learning rate (`eta_min`).
    public private(set) var etaMin: Double

    /// Anneals to `etaMin` over `tMax` epochs.
    public init(_ optimizer: Optimizer, tMax: Int, etaMin: Double = 0, lastEpoch: Int = -1) {
        precondition(tMax > 0, "T_max must be positive")
        self.tMax = tMax
        self.etaMin = etaMin
        super.init(optimizer, lastEpoch: lastEpoch)
    }

    /// PyTorch's recursive cosine step, with its special cases for the initial step, for a
    /// first step after resuming, and for the epoch after each minimum.
    public override func getLR() -> [Double] {
        let pi = 3.141592653589793  // Python's math.pi
        let t = Double(tMax), e = Double(lastEpoch)
        if isInitial { return groupLRs }
        if stepCount == 1 && lastEpoch > 0 {
            return baseLRs.map { base in etaMin + (base - etaMin) * (1 + Foundation.cos(e * pi / t)) / 2 }
        }
        if (lastEpoch - 1 - tMax) % (2 * tMax) == 0 {
            return zip(groupLRs, baseLRs).map { lr, base in lr + (base - etaMin) * (1 - Foundation.cos(pi / t)) / 2 }
        }
        let ratio = (1 + Foundation.cos(pi * e / t)) / (1 + Foundation.cos(pi * (e - 1) / t))
        return groupLRs.map { lr in ratio * (lr - etaMin) + etaMin }
    }

    /// This scheduler\'s settings, under PyTorch\'s attribute names.
    public override func settings() -> [String: Hyperparameter] {
        ["T_max": .number(Double(tMax)), "eta_min": .number(etaMin)]
    }
    /// Restores the settings saved by `settings()`.
    public override func applySettings(_ saved: [String: Hyperparameter]) {
        if let v = saved["T_max"]?.int { tMax = v }
        if let v = saved["eta_min"]?.double { etaMin = v }
    }
}
