/// Runs modules one after another, as `nn.Sequential`; children are named "0", "1", ….
///
/// ```swift
/// let mlp = Sequential(Linear(inFeatures: 784, outFeatures: 256), ReLU(), Linear(inFeatures: 256, outFeatures: 10))
/// ```
open class Sequential: Module, @unchecked Sendable {
    public private(set) var layers: [Module]

    public init(_ layers: Module...) {
        self.layers = layers
        super.init()
    }
    public init(_ layers: [Module]) {
        self.layers = layers
        super.init()
    }

    /// The layer at `index`.
    public subscript(index: Int) -> Module { layers[index] }
    /// Number of layers.
    public var count: Int { layers.count }
    /// Adds a layer at the end.
    public func append(_ module: Module) { layers.append(module) }

    open override func forward(_ input: Tensor) -> Tensor {
        layers.reduce(input) { x, layer in layer(x) }
    }

    // Layers are listed by index, not as a property.
    override func members() -> (parameters: [(String, Parameter?)], buffers: [(String, Tensor)], children: [(String, Module)]) {
        ([], [], layers.enumerated().map { (String($0.offset), $0.element) })
    }
}

/// Holds submodules in a list, as `nn.ModuleList`; children are named "0", "1", ….
open class ModuleList: Module, @unchecked Sendable {
    public private(set) var items: [Module]

    public init(_ modules: [Module] = []) {
        self.items = modules
        super.init()
    }

    /// The module at `index`.
    public subscript(index: Int) -> Module { items[index] }
    /// Number of modules.
    public var count: Int { items.count }
    /// Adds a module at the end.
    public func append(_ module: Module) { items.append(module) }

    override func members() -> (parameters: [(String, Parameter?)], buffers: [(String, Tensor)], children: [(String, Module)]) {
        ([], [], items.enumerated().map { (String($0.offset), $0.element) })
    }
}

/// Applies `relu`, as `nn.ReLU`.
open class ReLU: Module, @unchecked Sendable {
    public override init() { super.init() }
    open override func forward(_ input: Tensor) -> Tensor { relu(input) }
}

/// Applies the logistic sigmoid, as `nn.Sigmoid`.
open class Sigmoid: Module, @unchecked Sendable {
    public override init() { super.init() }
    open override func forward(_ input: Tensor) -> Tensor { input.sigmoid() }
}

/// Applies `tanh`, as `nn.Tanh`.
open class Tanh: Module, @unchecked Sendable {
    public override init() { super.init() }
    open override func forward(_ input: Tensor) -> Tensor { input.tanh() }
}

/// Flattens dims `startDim...endDim`, as `nn.Flatten` (default keeps the batch dim).
open class Flatten: Module, @unchecked Sendable {
    public let startDim: Int
    public let endDim: Int
    public init(startDim: Int = 1, endDim: Int = -1) {
        self.startDim = startDim
        self.endDim = endDim
        super.init()
    }
    open override func forward(_ input: Tensor) -> Tensor { input.flatten(startDim: startDim, endDim: endDim) }
    open override var extraRepr: String { "start_dim=\(startDim), end_dim=\(endDim)" }
}
