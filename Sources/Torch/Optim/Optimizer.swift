import Foundation

// The optimizer base, as torch.optim.Optimizer: parameter groups with their own
// hyperparameters, per-parameter state, and a state dict with PyTorch's structure.

/// One hyperparameter value of a parameter group: a number, flag, string, list or null,
/// exactly the values PyTorch keeps in `optimizer.param_groups` (and writes as JSON).
///
/// ```swift
/// var group = ParamGroup(params: [w], options: ["lr": 0.1, "betas": [0.9, 0.999], "amsgrad": false])
/// group["momentum"] = 0.9
/// group["betas"]?.doubles        // [0.9, 0.999]
/// ```
public enum Hyperparameter: Sendable, Hashable, Codable, CustomStringConvertible,
    ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByNilLiteral {
    /// A number; integers are stored exactly (up to 2^53) and written without a fraction.
    case number(Double)
    /// A flag such as `nesterov` or `amsgrad`.
    case bool(Bool)
    /// A string.
    case string(String)
    /// A list such as `betas` or `params`.
    case list([Hyperparameter])
    /// PyTorch's `None` (e.g. `foreach`).
    case null

    /// `0.9` as a hyperparameter.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// `0` as a hyperparameter (stored as a number).
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    /// `true` as a hyperparameter.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// `"name"` as a hyperparameter.
    public init(stringLiteral value: String) { self = .string(value) }
    /// `[0.9, 0.999]` as a hyperparameter.
    public init(arrayLiteral elements: Hyperparameter...) { self = .list(elements) }
    /// `nil` as a hyperparameter (PyTorch's `None`).
    public init(nilLiteral: ()) { self = .null }

    /// The number, or nil for other kinds.
    public var double: Double? { if case .number(let v) = self { return v } else { return nil } }
    /// The number as an exact integer, or nil.
    public var int: Int? {
        guard let v = double, v.rounded() == v, Swift.abs(v) < 9.007_199_254_740_992e15 else { return nil }
        return Int(v)
    }
    /// The flag, or nil for other kinds.
    public var bool: Bool? { if case .bool(let v) = self { return v } else { return nil } }
    /// The string, or nil for other kinds.
    public var string: String? { if case .string(let v) = self { return v } else { return nil } }
    /// The list's elements, or nil for other kinds.
    public var list: [Hyperparameter]? { if case .list(let v) = self { return v } else { return nil } }
    /// A list of numbers (such as `betas`), or nil.
    public var doubles: [Double]? {
        guard let items = list else { return nil }
        var out: [Double] = []
        for item in items {
            guard let v = item.double else { return nil }
            out.append(v)
        }
        return out
    }
    /// Whether this is `.null`.
    public var isNull: Bool { self == .null }

    /// The value as Python prints it inside a param group (`0.001`, `True`, `(0.9, 0.999)`, `None`).
    public var description: String {
        switch self {
        case .number(let v): return int.map(String.init) ?? "\(v)"
        case .bool(let v): return v ? "True" : "False"
        case .string(let s): return "'\(s)'"
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .null: return "None"
        }
    }

    /// Reads a JSON value: `null`, a boolean, a number, a string or a list.
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let v = try? c.decode(Double.self) { self = .number(v) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else { self = .list(try c.decode([Hyperparameter].self)) }
    }

    /// Writes the value as JSON, integers without a fraction.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let v):
            // Integers are written as integers, as Python's json writes `0` for weight_decay=0.
            if let i = int { try c.encode(i) } else { try c.encode(v) }
        case .bool(let b): try c.encode(b)
        case .string(let s): try c.encode(s)
        case .list(let items): try c.encode(items)
        case .null: try c.encodeNil()
        }
    }
}

/// A list of parameters optimised with the same hyperparameters, as a dict in PyTorch's
/// `optimizer.param_groups`. Keys are PyTorch's (`"lr"`, `"momentum"`, `"weight_decay"`,
/// `"betas"`, ...); keys a group lacks are filled from the optimizer's defaults.
///
/// ```swift
/// let opt = SGD([ParamGroup(params: [fc.weight], lr: 0.1), ParamGroup(params: [fc.bias!])],
///               lr: 0.01, momentum: 0.9)
/// opt.paramGroups[1].lr            // 0.01
/// opt.paramGroups[0]["momentum"]   // 0.9
/// ```
public struct ParamGroup: Sendable {
    /// The parameters of this group, in order.
    public var params: [Parameter]
    /// Hyperparameters by PyTorch's key (everything in the group's dict except `params`).
    public var options: [String: Hyperparameter]

    /// A group with the given hyperparameters; missing ones come from the optimizer's defaults.
    public init(params: [Parameter], options: [String: Hyperparameter] = [:]) {
        self.params = params
        self.options = options
    }

    /// A group with its own learning rate (other hyperparameters from `options` or the defaults).
    public init(params: [Parameter], lr: Double, options: [String: Hyperparameter] = [:]) {
        self.init(params: params, options: options)
        self.options["lr"] = .number(lr)
    }

    /// A hyperparameter by PyTorch's key, as `group["momentum"]`.
    public subscript(key: String) -> Hyperparameter? {
        get { options[key] }
        set { options[key] = newValue }
    }

    /// The learning rate, as `group["lr"]`; schedulers change it.
    public var lr: Double {
        get { double("lr") }
        set { options["lr"] = .number(newValue) }
    }

    /// A numeric hyperparameter; traps with the key's name when missing or not a number.
    public func double(_ key: String) -> Double {
        guard let v = options[key]?.double else { fatalError("parameter group has no numeric '\(key)'") }
        return v
    }

    /// A flag hyperparameter; traps with the key's name when missing or not a flag.
    public func bool(_ key: String) -> Bool {
        guard let v = options[key]?.bool else { fatalError("parameter group has no boolean '\(key)'") }
        return v
    }
}

/// Per-parameter optimizer state (`exp_avg`, `momentum_buffer`, a 0-d float32 `step`, ...),
/// looked up by parameter identity, as PyTorch's `optimizer.state[p]`.
///
/// ```swift
/// let buffer = opt.state[fc.weight]["momentum_buffer"]
/// ```
public struct ParameterStates {
    var storage: [ObjectIdentifier: [String: Tensor]] = [:]

    /// The state of `param`; empty before its first step.
    public subscript(param: Parameter) -> [String: Tensor] {
        get { storage[ObjectIdentifier(param)] ?? [:] }
        set { storage[ObjectIdentifier(param)] = newValue.isEmpty ? nil : newValue }
    }

    /// How many parameters have state.
    public var count: Int { storage.count }
    /// Whether `param` has any state yet.
    public func contains(_ param: Parameter) -> Bool { storage[ObjectIdentifier(param)] != nil }
    /// Forgets all state.
    public mutating func removeAll() { storage.removeAll() }
}

/// Why a saved optimizer state could not be loaded.
public enum OptimizerError: Error, Equatable, CustomStringConvertible {
    /// The saved state has a different number of parameter groups.
    case groupCountMismatch(expected: Int, got: Int)
    /// A saved group has a different number of parameters than this optimizer's group.
    case groupSizeMismatch(group: Int, expected: Int, got: Int)
    /// A saved state entry names a parameter index no group lists.
    case unknownParameterIndex(Int)
    /// A saved state tensor's shape differs from its parameter's.
    case stateShapeMismatch(key: String, expected: [Int], got: [Int])
    /// A tensor key is not of the form `state.<index>.<name>`.
    case invalidTensorKey(String)
    /// The param-groups JSON is missing or malformed.
    case invalidParamGroups(String)

    /// The message, worded as PyTorch's where PyTorch has one.
    public var description: String {
        switch self {
        case .groupCountMismatch(let e, let g):
            return "loaded state dict has a different number of parameter groups (expected \(e), got \(g))"
        case .groupSizeMismatch(let i, let e, let g):
            return "loaded state dict contains a parameter group that doesn't match the size of optimizer's group (group \(i): expected \(e), got \(g))"
        case .unknownParameterIndex(let i):
            return "loaded state dict has state for parameter \(i), which no parameter group lists"
        case .stateShapeMismatch(let k, let e, let g):
            return "loaded state '\(k)' has shape \(Shape.describe(g)), but its parameter has shape \(Shape.describe(e))"
        case .invalidTensorKey(let k):
            return "optimizer state key '\(k)' is not of the form state.<index>.<name>"
        case .invalidParamGroups(let why):
            return "invalid optimizer param_groups: \(why)"
        }
    }
}

/// An optimizer's state with PyTorch's `state_dict()` structure: per-parameter state keyed
/// by the parameter's index (counting through the groups in order), and each group's
/// hyperparameters with `"params"` listing its indices.
///
/// For a checkpoint file it flattens to tensors plus JSON:
/// - `tensors`: `"state.<index>.<name>"`, e.g. `"state.0.exp_avg"`, `"state.0.exp_avg_sq"`,
///   `"state.0.step"` (a 0-d float32 tensor, as PyTorch keeps it), `"state.1.momentum_buffer"`.
/// - `paramGroupsJSON()`: `[{"lr":0.001,"betas":[0.9,0.999],...,"params":[0,1]}]`, PyTorch's
///   `param_groups` as JSON; `metadata` holds it under the key `"param_groups"` (for a
///   safetensors header, whose metadata is string to string).
///
/// ```swift
/// let saved = opt.stateDict()
/// let tensors = saved.tensors, metadata = saved.metadata         // write both to a file
/// let restored = try OptimizerState(tensors: tensors, metadata: metadata)
/// try freshOpt.loadStateDict(restored)
/// ```
public struct OptimizerState: Sendable {
    /// Per-parameter state by parameter index, as `state_dict()["state"]`.
    public var state: [Int: [String: Tensor]]
    /// Each group's hyperparameters plus `"params"` (a list of indices), as `state_dict()["param_groups"]`.
    public var paramGroups: [[String: Hyperparameter]]

    /// A state from its two parts.
    public init(state: [Int: [String: Tensor]], paramGroups: [[String: Hyperparameter]]) {
        self.state = state
        self.paramGroups = paramGroups
    }

    /// The per-parameter state flattened to `"state.<index>.<name>"` keys.
    public var tensors: [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (index, entries) in state {
            for (name, t) in entries { out["state.\(index).\(name)"] = t }
        }
        return out
    }

    /// `paramGroups` as JSON text (keys sorted, so the same state always gives the same text).
    public func paramGroupsJSON() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Non-finite values cannot be written as JSON; a param group never holds one in practice.
        guard let data = try? encoder.encode(paramGroups) else {
            fatalError("optimizer param_groups hold a value JSON cannot represent")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// String metadata for a checkpoint header: `["param_groups": paramGroupsJSON()]`.
    public var metadata: [String: String] { ["param_groups": paramGroupsJSON()] }

    /// Rebuilds a state from flattened tensors and the param-groups JSON.
    public init(tensors: [String: Tensor], paramGroupsJSON json: String) throws {
        var state: [Int: [String: Tensor]] = [:]
        for (key, t) in tensors {
            let parts = key.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "state", let index = Int(parts[1]), index >= 0, !parts[2].isEmpty else {
                throw OptimizerError.invalidTensorKey(key)
            }
            state[index, default: [:]][String(parts[2])] = t
        }
        let groups: [[String: Hyperparameter]]
        do {
            groups = try JSONDecoder().decode([[String: Hyperparameter]].self, from: Data(json.utf8))
        } catch {
            throw OptimizerError.invalidParamGroups("\(error)")
        }
        self.init(state: state, paramGroups: groups)
    }

    /// Rebuilds a state from flattened tensors and `metadata` (as written by `metadata`).
    public init(tensors: [String: Tensor], metadata: [String: String]) throws {
        guard let json = metadata["param_groups"] else { throw OptimizerError.invalidParamGroups("no 'param_groups' entry") }
        try self.init(tensors: tensors, paramGroupsJSON: json)
    }
}

/// The base class of optimizers, as `torch.optim.Optimizer`. Subclasses override `step()`.
///
/// ```swift
/// let opt = SGD(net.parameters(), lr: 0.1, momentum: 0.9)
/// for (x, y) in loader {
///     opt.zeroGrad()
///     crossEntropy(net(x), y).backward()
///     opt.step()
/// }
/// ```
open class Optimizer {
    /// The parameter groups, each with its own hyperparameters, as `optimizer.param_groups`.
    public var paramGroups: [ParamGroup]
    /// Hyperparameters a group gets when it does not set them, as `optimizer.defaults`.
    public let defaults: [String: Hyperparameter]
    /// Per-parameter state, as `optimizer.state`.
    public var state = ParameterStates()

    /// One group of `params` with the `defaults` (which must include `"lr"`).
    public convenience init(_ params: [Parameter], defaults: [String: Hyperparameter]) {
        self.init([ParamGroup(params: params)], defaults: defaults)
    }

    /// Several groups; each key a group lacks is taken from `defaults`.
    public init(_ groups: [ParamGroup], defaults: [String: Hyperparameter]) {
        self.defaults = defaults
        self.paramGroups = []
        if groups.isEmpty { fatalError("optimizer got an empty parameter list") }
        for group in groups { addParamGroup(group) }
    }

    /// Adds a group (missing hyperparameters from the defaults), as `add_param_group`.
    public func addParamGroup(_ group: ParamGroup) {
        var group = group
        for (key, value) in defaults where group.options[key] == nil { group.options[key] = value }
        guard group.options["lr"] != nil else {
            fatalError("parameter group didn't specify a value of required optimization parameter lr")
        }
        var seen = Set(paramGroups.flatMap { $0.params.map(ObjectIdentifier.init) })
        for p in group.params where !seen.insert(ObjectIdentifier(p)).inserted {
            fatalError("some parameters appear in more than one parameter group")
        }
        paramGroups.append(group)
    }

    /// Clears gradients, as `zero_grad`: sets them to nil, or zeroes them in place.
    ///
    /// ```swift
    /// opt.zeroGrad()                    // p.grad == nil
    /// opt.zeroGrad(setToNone: false)    // p.grad is all zeros
    /// ```
    public func zeroGrad(setToNone: Bool = true) {
        for group in paramGroups {
            for p in group.params {
                guard let g = p.grad else { continue }
                if setToNone {
                    p.grad = nil
                } else {
                    if g.gradFn != nil { g.detach_() } else { g.requiresGradFlag = false }
                    withNoGrad { _ = g.zero_() }
                }
            }
        }
    }

    /// Performs one optimisation step on every parameter that has a gradient. Override it.
    open func step() {
        fatalError("\(type(of: self)) must override step()")
    }

    /// Re-evaluates the loss with `closure` (grad enabled), then steps; returns the loss.
    ///
    /// ```swift
    /// let loss = opt.step { opt.zeroGrad(); let l = mseLoss(net(x), y); l.backward(); return l }
    /// ```
    @discardableResult
    public func step(_ closure: () -> Tensor) -> Tensor {
        let loss = withGrad { closure() }
        step()
        return loss
    }

    /// The optimizer's state with PyTorch's structure: state by parameter index and each
    /// group's hyperparameters. The tensors are copies, so later steps leave it unchanged.
    ///
    /// ```swift
    /// let saved = opt.stateDict()
    /// saved.tensors.keys        // ["state.0.step", "state.0.exp_avg", "state.0.exp_avg_sq", ...]
    /// ```
    public func stateDict() -> OptimizerState {
        var indexOf: [ObjectIdentifier: Int] = [:]
        var next = 0
        var groups: [[String: Hyperparameter]] = []
        for group in paramGroups {
            var packed = group.options
            var indices: [Hyperparameter] = []
            for p in group.params {
                let id = ObjectIdentifier(p)
                if indexOf[id] == nil { indexOf[id] = next; next += 1 }
                indices.append(.number(Double(indexOf[id]!)))
            }
            packed["params"] = .list(indices)
            groups.append(packed)
        }
        var saved: [Int: [String: Tensor]] = [:]
        withNoGrad {
            for (id, entries) in state.storage {
                guard let index = indexOf[id] else { continue }
                saved[index] = entries.mapValues { $0.contiguousCopy() }
            }
        }
        return OptimizerState(state: saved, paramGroups: groups)
    }

    /// Restores state and hyperparameters saved by `stateDict()` (possibly by another optimizer
    /// over the same parameter layout), as `load_state_dict`. Parameters are matched by
    /// position; floating-point state (except `step`) is converted to the parameter's dtype.
    ///
    /// ```swift
    /// let fresh = Adam(net.parameters(), lr: 1e-3)
    /// try fresh.loadStateDict(opt.stateDict())   // continues exactly where `opt` was
    /// ```
    public func loadStateDict(_ saved: OptimizerState) throws {
        guard saved.paramGroups.count == paramGroups.count else {
            throw OptimizerError.groupCountMismatch(expected: paramGroups.count, got: saved.paramGroups.count)
        }
        var paramFor: [Int: Parameter] = [:]
        for (i, (savedGroup, group)) in zip(saved.paramGroups, paramGroups).enumerated() {
            guard let indices = savedGroup["params"]?.list?.map({ $0.int }) else {
                throw OptimizerError.invalidParamGroups("group \(i) has no 'params' list of indices")
            }
            guard indices.count == group.params.count else {
                throw OptimizerError.groupSizeMismatch(group: i, expected: group.params.count, got: indices.count)
            }
            for (index, p) in zip(indices, group.params) {
                guard let index else { throw OptimizerError.invalidParamGroups("group \(i) has a non-integer parameter index") }
                paramFor[index] = p
            }
        }
        var newState = ParameterStates()
        try withNoGrad {
            for (index, entries) in saved.state {
                guard let p = paramFor[index] else { throw OptimizerError.unknownParameterIndex(index) }
                var converted: [String: Tensor] = [:]
                for (name, t) in entries {
                    if name == "step" {
                        converted[name] = t.contiguousCopy()
                        continue
                    }
                    if t.dim != 0 && t.shape != p.shape {
                        throw OptimizerError.stateShapeMismatch(key: "state.\(index).\(name)", expected: p.shape, got: t.shape)
                    }
                    // Own contiguous copies, in the parameter's dtype when floating, as PyTorch casts them.
                    let target = t.dtype.isFloatingPoint ? p.dtype : t.dtype
                    converted[name] = t.dtype == target ? t.contiguousCopy() : t.converted(to: target)
                }
                newState[p] = converted
            }
        }
        state = newState
        for (i, savedGroup) in saved.paramGroups.enumerated() {
            var options = savedGroup
            options["params"] = nil
            paramGroups[i].options = options
        }
    }
}
