/// The base class of every layer and network, as `torch.nn.Module`.
///
/// Subclass it, keep layers and parameters in stored properties, override ``forward(_:)``, and
/// call the instance: `net(x)` runs the forward pre-hooks, `forward`, the forward hooks, and
/// wires the backward hooks, in PyTorch's order. Parameters, buffers and submodules are found by
/// property name (also inside optionals and arrays), with no registration calls.
///
/// ```swift
/// final class TwoLayer: Module {
///     let fc1 = Linear(inFeatures: 4, outFeatures: 8)
///     let fc2 = Linear(inFeatures: 8, outFeatures: 2)
///     override func forward(_ x: Tensor) -> Tensor { fc2(relu(fc1(x))) }
/// }
/// let net = TwoLayer()
/// net.namedParameters().map(\.name)   // ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
/// ```
open class Module: CustomStringConvertible, @unchecked Sendable {
    /// Whether the module is in training mode (see ``train(_:)`` and ``eval()``).
    public internal(set) var training = true

    // Read on every call; no dynamic exclusivity checks on this path.
    @exclusivity(unchecked) var forwardPreHooks: [(id: Int, fn: ForwardPreHook)] = []
    @exclusivity(unchecked) var forwardHooks: [(id: Int, fn: ForwardHook)] = []
    @exclusivity(unchecked) var backwardPreHooks: [(id: Int, fn: BackwardPreHook)] = []
    @exclusivity(unchecked) var backwardHooks: [(id: Int, fn: BackwardHook)] = []

    public init() {}

    /// The computation of this module. Override it; call the module, not this method.
    open func forward(_ input: Tensor) -> Tensor {
        fatalError("Module [\(typeName)] is missing the required \"forward\" function")
    }

    /// Runs the module as PyTorch's `__call__`: hooks, then ``forward(_:)``.
    public final func callAsFunction(_ input: Tensor) -> Tensor {
        if forwardPreHooks.isEmpty && forwardHooks.isEmpty && backwardPreHooks.isEmpty && backwardHooks.isEmpty
            && !GlobalModuleHooks.any {
            return forward(input)
        }
        return callWithHooks(input)
    }

    // MARK: Names and printing

    /// The class name PyTorch prints (`Linear`, `Network`).
    open var typeName: String { String(describing: type(of: self)) }

    /// The text inside the parentheses of this module's line, as PyTorch's `extra_repr()`.
    open var extraRepr: String { "" }

    /// PyTorch's module tree, e.g. `Network(\n  (conv1): Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))\n …)`.
    open var description: String {
        let extraLines = extraRepr.isEmpty ? [] : extraRepr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let childLines = namedChildren().map { name, module -> String in
            let lines = module.description.split(separator: "\n", omittingEmptySubsequences: false)
            let indented = ([String(lines[0])] + lines.dropFirst().map { "  " + $0 }).joined(separator: "\n")
            return "(\(name)): \(indented)"
        }
        let lines = extraLines + childLines
        var text = typeName + "("
        if !lines.isEmpty {
            if extraLines.count == 1 && childLines.isEmpty {
                text += extraLines[0]
            } else {
                text += "\n  " + lines.joined(separator: "\n  ") + "\n"
            }
        }
        return text + ")"
    }

    // MARK: Discovery

    /// Direct members found by reflection: parameters, buffers and child modules, in
    /// declaration order (superclass properties first).
    func members() -> (parameters: [(String, Parameter?)], buffers: [(String, Tensor)], children: [(String, Module)]) {
        var params: [(String, Parameter?)] = []
        var buffers: [(String, Tensor)] = []
        var children: [(String, Module)] = []
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let m = mirror { mirrors.append(m); mirror = m.superclassMirror }
        // The base class holds only hook lists, never parameters.
        for m in mirrors.reversed() where m.subjectType != Module.self {
            for child in m.children {
                guard var name = child.label else { continue }
                if name.hasPrefix("$__lazy_storage_$_") { name.removeFirst("$__lazy_storage_$_".count) }
                if name.hasPrefix("_") { name.removeFirst() }
                Module.classify(child.value, name: Module.snakeCase(name), &params, &buffers, &children)
            }
        }
        for extra in additionalChildren() { children.append(extra) }
        return (params, buffers, children)
    }

    private static func classify(_ value: Any, name: String, _ params: inout [(String, Parameter?)],
                                 _ buffers: inout [(String, Tensor)], _ children: inout [(String, Module)]) {
        switch value {
        case let p as Parameter: params.append((name, p))
        case let p as Parameter?: params.append((name, p))
        case let b as Buffer: if let t = b.wrappedValue { buffers.append((name, t)) }
        case let m as Module: children.append((name, m))
        case let m as Module?: if let m { children.append((name, m)) }
        case let list as [Module] where !list.isEmpty: children.append((name, ModuleList(list)))
        default: break
        }
    }

    /// PyTorch-style attribute name for a Swift property (`runningMean` -> `running_mean`), so
    /// state dicts interchange with PyTorch's.
    static func snakeCase(_ name: String) -> String {
        var out = ""
        var previous: Character?
        for c in name {
            if c.isUppercase, let p = previous, p.isLowercase || p.isNumber {
                out.append("_")
            }
            out.append(contentsOf: c.lowercased())
            previous = c
        }
        return out
    }

    /// Children that are not stored properties (containers list theirs here).
    open func additionalChildren() -> [(String, Module)] { [] }

    /// The direct submodules with their names, as `named_children()`.
    public func namedChildren() -> [(name: String, module: Module)] { members().children.map { ($0.0, $0.1) } }
    /// The direct submodules, as `children()`.
    public func children() -> [Module] { namedChildren().map(\.module) }

    /// This module and all submodules with dotted names ("" for self), as `named_modules()`.
    public func namedModules(prefix: String = "") -> [(name: String, module: Module)] {
        var result: [(name: String, module: Module)] = []
        var seen = Set<ObjectIdentifier>()
        var stack: [(String, Module)] = [(prefix, self)]
        while let (name, module) = stack.popLast() {
            guard seen.insert(ObjectIdentifier(module)).inserted else { continue }
            result.append((name, module))
            for (childName, child) in module.namedChildren().reversed() {
                stack.append((name.isEmpty ? childName : name + "." + childName, child))
            }
        }
        return result
    }
    /// This module and all submodules, as `modules()`.
    public func modules() -> [Module] { namedModules().map(\.module) }

    /// Every parameter with its dotted name (`conv1.weight`), as `named_parameters()`.
    public func namedParameters(recurse: Bool = true) -> [(name: String, parameter: Parameter)] {
        var result: [(name: String, parameter: Parameter)] = []
        var seen = Set<ObjectIdentifier>()
        for (prefix, module) in recurse ? namedModules() : [("", self)] {
            for (name, p) in module.members().parameters {
                guard let p, seen.insert(ObjectIdentifier(p)).inserted else { continue }
                result.append((prefix.isEmpty ? name : prefix + "." + name, p))
            }
        }
        return result
    }
    /// Every parameter, as `parameters()`.
    public func parameters(recurse: Bool = true) -> [Parameter] { namedParameters(recurse: recurse).map(\.parameter) }

    /// Every buffer (e.g. BatchNorm's running statistics) with its dotted name.
    public func namedBuffers(recurse: Bool = true) -> [(name: String, buffer: Tensor)] {
        var result: [(name: String, buffer: Tensor)] = []
        for (prefix, module) in recurse ? namedModules() : [("", self)] {
            for (name, b) in module.members().buffers {
                result.append((prefix.isEmpty ? name : prefix + "." + name, b))
            }
        }
        return result
    }
    /// Every buffer, as `buffers()`.
    public func buffers(recurse: Bool = true) -> [Tensor] { namedBuffers(recurse: recurse).map(\.buffer) }

    // MARK: Modes and gradients

    /// Calls `fn` on every submodule (children first) and on self, as `apply(fn)`.
    @discardableResult
    public func apply(_ fn: (Module) -> Void) -> Self {
        for child in children() { child.apply(fn) }
        fn(self)
        return self
    }

    /// Sets training mode on this module and all submodules, as `train(mode)`.
    @discardableResult
    public func train(_ mode: Bool = true) -> Self {
        for m in modules() { m.training = mode }
        return self
    }

    /// Sets evaluation mode (dropout off, batch norm uses running stats), as `eval()`.
    @discardableResult
    public func eval() -> Self { train(false) }

    /// Clears the gradients of every parameter, as `zero_grad(set_to_none)`.
    public func zeroGrad(setToNone: Bool = true) {
        for p in parameters() {
            if setToNone {
                p.grad = nil
            } else if let g = p.grad {
                withNoGrad { _ = g.zero_() }
            }
        }
    }

    /// Sets `requiresGrad` on every parameter, as `requires_grad_(flag)`.
    @discardableResult
    public func requiresGrad_(_ flag: Bool = true) -> Self {
        for p in parameters() { p.requiresGrad_(flag) }
        return self
    }
}

/// Marks a stored tensor property of a module as a buffer: saved in the state dict, not trained.
///
/// ```swift
/// @Buffer var runningMean: Tensor? = Tensor.zeros(6)
/// ```
@propertyWrapper
public struct Buffer {
    public var wrappedValue: Tensor?
    public init(wrappedValue: Tensor?) { self.wrappedValue = wrappedValue }
}
