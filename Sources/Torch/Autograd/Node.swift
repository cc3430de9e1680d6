import Foundation

/// A node of the autograd graph: the backward function of one recorded operation, as a
/// PyTorch `grad_fn` (`MulBackward0`, `AddmmBackward0`, …) or a leaf's `AccumulateGrad`.
///
/// ```swift
/// let x = Tensor.ones(2, requiresGrad: true)
/// let y = x * 2
/// y.gradFn!.name                          // "MulBackward0"
/// y.gradFn!.nextFunctions[0].node!.name   // "AccumulateGrad"
/// ```
public final class Node: @unchecked Sendable, CustomStringConvertible {
    /// One input of the operation: the node that produced it and which of its outputs it was.
    public struct Edge {
        public let node: Node?
        public let inputNr: Int
        /// For an edge into a leaf's AccumulateGrad node, the leaf itself: the graph keeps its
        /// leaves alive, as PyTorch's AccumulateGrad does, so the node's unretained
        /// ``Node/variable`` is valid whenever an edge can lead the engine to it.
        let leaf: Tensor?

        init(node: Node?, inputNr: Int, leaf: Tensor? = nil) {
            self.node = node
            self.inputNr = inputNr
            self.leaf = leaf
        }
    }

    /// PyTorch's class name of this backward function.
    public let name: String
    /// The edges to the nodes of this operation's inputs, in input order (nil node: no grad).
    @exclusivity(unchecked) public internal(set) var nextEdges: [Edge]
    /// As `grad_fn.next_functions`.
    public var nextFunctions: [(node: Node?, inputNr: Int)] { nextEdges.map { ($0.node, $0.inputNr) } }

    /// Maps the gradient of the output to gradients of the inputs (one per edge).
    @exclusivity(unchecked) var backwardFn: ((Tensor) -> [Tensor?])?
    /// Storages saved for backward with the version they had, to detect in-place changes.
    @exclusivity(unchecked) var savedVersions: [SavedVersion] = []
    var released = false
    /// Order of creation; the engine runs later nodes first, as PyTorch does.
    let sequenceNr: Int
    /// Tensor hooks registered on this node's output (non-leaf `registerHook`).
    var preHooks: [(id: Int, fn: (Tensor) -> Tensor?)] = []
    /// Non-leaf tensors that asked for `retainGrad()`.
    var retainGradTargets: [WeakTensor] = []
    /// Hooks run after this node computed its input gradients (module full backward hooks).
    var postHooks: [(_ gradInputs: [Tensor?], _ gradOutput: Tensor) -> [Tensor?]?] = []
    /// Whether this is a leaf's `AccumulateGrad` node.
    let accumulates: Bool
    /// Serialises the creation of AccumulateGrad nodes (rare: once per leaf).
    static let accumulatorLock = NSLock()
    /// The leaf an `AccumulateGrad` node accumulates into. Unretained, because the leaf owns the
    /// node; every edge into the node holds the leaf (``Edge/leaf``), so the leaf outlives any
    /// graph that can reach the node, and the leaf clears this in its deinit. (A `weak` reference
    /// would put the leaf's every retain and release on the slow side-table path: +20%
    /// instructions per op on parameters, measured.)
    var variable: Tensor? { variableRef?.takeUnretainedValue() }
    var variableRef: Unmanaged<Tensor>?

    struct SavedVersion {
        let storage: Storage
        let version: Int
        // What the error message needs, kept as plain fields: a closure would cost an
        // allocation per saved tensor on every recorded op.
        let shape: [Int]
        let dtype: DType
        /// The op that saved its own output (the message names it), nil for a saved input.
        let savingOp: String?
        /// The saved input itself, held as PyTorch's SavedVariable holds it (strongly: a weak
        /// reference would cost a side-table allocation per saved tensor per op). Nil for a
        /// saved output, which would otherwise form a cycle through its own grad_fn.
        let current: Tensor?

        /// As PyTorch names it: a saved output by the op that saved it, a saved input by
        /// whatever produced it last (an in-place op may have replaced its history).
        func describe() -> String {
            let what = "[\(dtype.legacyName) \(Shape.describe(shape))]"
            let producer = savingOp ?? current?.gradFn?.name
            let nr = savingOp != nil ? 0 : (current?.outputNr ?? 0)
            guard let producer else { return what }
            return "\(what), which is output \(nr) of \(Node.opName(producer)),"
        }
    }

    struct WeakTensor { weak var tensor: Tensor? }

    // Bumped on every recorded op: no dynamic exclusivity check (see Tensor's autograd fields).
    @exclusivity(unchecked) nonisolated(unsafe) private static var counter = 0

    init(name: String, edges: [Edge]) {
        self.name = name
        self.nextEdges = edges
        accumulates = false
        Node.counter &+= 1
        sequenceNr = Node.counter
    }

    /// The AccumulateGrad node of a leaf.
    init(accumulating leaf: Tensor) {
        name = "AccumulateGrad"
        nextEdges = []
        accumulates = true
        variableRef = Unmanaged.passUnretained(leaf)
        sequenceNr = Int.max
    }

    public var description: String { "<\(name) object>" }

    /// The op a backward node belongs to, as PyTorch's messages name it (`MulBackward0` -> `Mul`).
    static func opName(_ nodeName: String) -> String {
        var stem = Substring(nodeName)
        while let last = stem.last, last.isNumber { stem = stem.dropLast() }
        return stem.hasSuffix("Backward") ? String(stem.dropLast("Backward".count)) : nodeName
    }

    /// Frees saved tensors after a backward pass without `retainGraph`.
    func release() {
        if !savedVersions.isEmpty {
            backwardFn = nil
            savedVersions = []
            released = true
        }
    }

    // Releasing a long chain recursively would overflow the stack, so unlink iteratively.
    deinit {
        guard !nextEdges.isEmpty else { return }
        // The edges array itself is the work list (taken over, not copied): no allocation
        // unless a dying input node brings more edges than fit.
        var pending = nextEdges
        nextEdges = []
        // Saved tensors may reference earlier nodes, which `pending` now keeps alive.
        backwardFn = nil
        while !pending.isEmpty {
            guard var node = pending.removeLast().node else { continue }
            if isKnownUniquelyReferenced(&node) {
                if !node.nextEdges.isEmpty {
                    pending.append(contentsOf: node.nextEdges)
                    node.nextEdges = []
                }
                node.backwardFn = nil
            }
        }
    }
}

/// A handle returned by hook registration; `remove()` unregisters the hook.
///
/// ```swift
/// let handle = w.registerHook { grad in grad * 2 }
/// handle.remove()
/// ```
public final class RemovableHandle: @unchecked Sendable {
    private var action: (() -> Void)?
    init(_ action: @escaping () -> Void) { self.action = action }
    /// Unregisters the hook; calling it again does nothing.
    public func remove() {
        action?()
        action = nil
    }
}

nonisolated(unsafe) private var hookCounter = 0
func nextHookID() -> Int {
    hookCounter &+= 1
    return hookCounter
}

extension Tensor {
    /// A tensor sharing this one's data, without autograd history, for saving in a backward closure.
    var alias: Tensor { Tensor(sharing: self, requiresGrad: false) }

    /// The edge through which gradients reach this tensor.
    func gradientEdge() -> Node.Edge {
        guard requiresGradFlag else { return Node.Edge(node: nil, inputNr: 0) }
        if let fn = gradFn { return Node.Edge(node: fn, inputNr: outputNr) }
        if let acc = gradAccumulator { return Node.Edge(node: acc, inputNr: 0, leaf: self) }
        // Made once per leaf, under a lock (as PyTorch's grad_accumulator mutex): two threads
        // starting forward passes over the same fresh parameters agree on one node.
        Node.accumulatorLock.lock()
        defer { Node.accumulatorLock.unlock() }
        if let acc = gradAccumulator { return Node.Edge(node: acc, inputNr: 0, leaf: self) }
        let acc = Node(accumulating: self)
        gradAccumulator = acc
        return Node.Edge(node: acc, inputNr: 0, leaf: self)
    }

    /// Records an operation: when grad mode is on and an input requires grad, `output` gets a
    /// node named `name` whose backward is `backward`. `saving` lists tensors whose values the
    /// backward reads, so in-place changes to them are detected.
    @discardableResult
    static func record(_ name: String, _ output: Tensor, inputs: [Tensor], saving: [Tensor] = [],
                       backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGradFlag }) else { return output }
        guard output.dtype.isFloatingPoint else { return output }
        var edges: [Node.Edge] = []
        edges.reserveCapacity(inputs.count)  // one allocation, no growth
        for t in inputs { edges.append(t.gradientEdge()) }
        let node = Node(name: name, edges: edges)
        node.backwardFn = backward
        if !saving.isEmpty {
            node.savedVersions = saving.map { t in
                let isOutput = t === output
                return Node.SavedVersion(storage: t.storage, version: t.storage.version, shape: t.shape, dtype: t.dtype,
                                         savingOp: isOutput ? name : nil,
                                         current: isOutput ? nil : t)
            }
        }
        output.requiresGradFlag = true
        output.gradFn = node
        output.outputNr = 0
        return output
    }

    /// Registers a hook called with this tensor's gradient during backward; it may return a
    /// replacement gradient or nil to keep it.
    ///
    /// ```swift
    /// let handle = w.registerHook { grad in grad * 2 }
    /// ```
    @discardableResult
    public func registerHook(_ hook: @escaping (Tensor) -> Tensor?) -> RemovableHandle {
        guard requiresGradFlag else {
            fatalError("cannot register a hook on a tensor that doesn't require gradient")
        }
        let id = nextHookID()
        if let fn = gradFn {
            fn.preHooks.append((id, hook))
            return RemovableHandle { [weak fn] in fn?.preHooks.removeAll { $0.id == id } }
        }
        // A leaf's hooks live on its AccumulateGrad node, so they run even if a graph outlives it.
        let acc = gradientEdge().node!
        acc.preHooks.append((id, hook))
        return RemovableHandle { [weak acc] in acc?.preHooks.removeAll { $0.id == id } }
    }

    /// Asks a non-leaf tensor to keep its `grad` after backward, as `retain_grad()`.
    public func retainGrad() {
        guard requiresGradFlag else {
            fatalError("can't retain_grad on Tensor that has requires_grad=False")
        }
        guard let fn = gradFn, !retainsGradFlag else { return }
        retainsGradFlag = true
        fn.retainGradTargets.append(Node.WeakTensor(tensor: self))
    }

    /// Whether this non-leaf tensor keeps its gradient, as `retains_grad`.
    public var retainsGrad: Bool { retainsGradFlag }
}
