/// The backward pass: an iterative walk of the graph in dependency order, so arbitrarily long
/// chains never touch the call stack.
enum Engine {
    static func run(root: Tensor, gradient: Tensor, retainGraph: Bool) {
        withNoGrad {
            let rootEdge = root.gradientEdge()
            guard let rootNode = rootEdge.node else { return }

            // Count how many gradients each node will receive.
            var dependencies: [ObjectIdentifier: Int] = [:]
            var seen: Set<ObjectIdentifier> = [ObjectIdentifier(rootNode)]
            var stack = [rootNode]
            while let node = stack.popLast() {
                for edge in node.nextEdges {
                    guard let next = edge.node else { continue }
                    let id = ObjectIdentifier(next)
                    dependencies[id, default: 0] += 1
                    if seen.insert(id).inserted { stack.append(next) }
                }
            }

            var buffers: [ObjectIdentifier: Tensor] = [ObjectIdentifier(rootNode): gradient]
            var ready = NodeHeap()
            ready.push(rootNode)
            while let node = ready.pop() {
                let grad = buffers.removeValue(forKey: ObjectIdentifier(node))
                let inputGrads = grad.map { execute(node, gradient: $0, retainGraph: retainGraph) }
                    ?? [Tensor?](repeating: nil, count: node.nextEdges.count)
                for (edge, inputGrad) in zip(node.nextEdges, inputGrads) {
                    guard let next = edge.node else { continue }
                    let id = ObjectIdentifier(next)
                    if let g = inputGrad {
                        if let existing = buffers[id] {
                            buffers[id] = existing + g
                        } else {
                            buffers[id] = g
                        }
                    }
                    let remaining = dependencies[id, default: 1] - 1
                    dependencies[id] = remaining
                    if remaining == 0 { ready.push(next) }
                }
            }
        }
    }

    /// Runs one node: hooks, the version check, its backward function, and leaf accumulation.
    private static func execute(_ node: Node, gradient: Tensor, retainGraph: Bool) -> [Tensor?] {
        var grad = gradient
        if node.accumulates {
            for hook in node.preHooks {
                if let replaced = hook.fn(grad) { grad = replaced }
            }
            if let leaf = node.variable { accumulate(grad, into: leaf) }
            return []
        }
        for hook in node.preHooks {
            if let replaced = hook.fn(grad) { grad = replaced }
        }
        for target in node.retainGradTargets {
            guard let t = target.tensor else { continue }
            t.grad = t.grad.map { $0 + grad } ?? grad.clone()
        }
        guard let backward = node.backwardFn else {
            if node.released {
                fatalError("Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.")
            }
            return [Tensor?](repeating: nil, count: node.nextEdges.count)
        }
        for saved in node.savedVersions where saved.storage.version != saved.version {
            fatalError("one of the variables needed for gradient computation has been modified by an inplace operation: \(saved.describe()) is at version \(saved.storage.version); expected version \(saved.version) instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).")
        }
        var inputGrads = backward(grad)
        for hook in node.postHooks {
            if let replaced = hook(inputGrads, grad) { inputGrads = replaced }
        }
        if !retainGraph { node.release() }
        return inputGrads
    }

    /// Adds a gradient into a leaf's `grad`, reusing its buffer when possible.
    static func accumulate(_ grad: Tensor, into leaf: Tensor) {
        precondition(grad.shape == leaf.shape,
                     "Function AccumulateGrad returned an invalid gradient - got \(Shape.describe(grad.shape)) but expected shape compatible with \(Shape.describe(leaf.shape))")
        if let existing = leaf.grad {
            existing.add_(grad)
        } else {
            // A fresh tensor, so later in-place accumulation never aliases user data.
            leaf.grad = grad.dtype == leaf.dtype ? grad.contiguousCopy() : grad.to(leaf.dtype)
        }
    }
}

/// A max-heap of nodes by sequence number: later operations run first, leaves last-ready first.
struct NodeHeap {
    private var items: [Node] = []

    mutating func push(_ node: Node) {
        items.append(node)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if items[parent].sequenceNr >= items[i].sequenceNr { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> Node? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var largest = i
            if l < items.count && items[l].sequenceNr > items[largest].sequenceNr { largest = l }
            if r < items.count && items[r].sequenceNr > items[largest].sequenceNr { largest = r }
            if largest == i { break }
            items.swapAt(i, largest)
            i = largest
        }
        return top
    }
}

extension Tensor {
    /// Computes gradients of this tensor with respect to graph leaves, as `tensor.backward()`.
    ///
    /// ```swift
    /// let w = Tensor.randn(3, requiresGrad: true)
    /// (w * w).sum().backward()     // w.grad == 2 * w
    /// ```
    /// - Parameters:
    ///   - gradient: the gradient of some loss with respect to this tensor; may be omitted
    ///     for one-element tensors.
    ///   - retainGraph: keep saved tensors so backward can run through the graph again.
    public func backward(gradient: Tensor? = nil, retainGraph: Bool = false) {
        guard requiresGradFlag else {
            fatalError("element 0 of tensors does not require grad and does not have a grad_fn")
        }
        let seed: Tensor
        if let gradient {
            guard gradient.shape == shape else {
                fatalError("Mismatch in shape: grad_output[0] has a shape of torch.Size(\(Shape.describe(gradient.shape))) and output[0] has a shape of torch.Size(\(Shape.describe(shape))).")
            }
            seed = gradient
        } else {
            guard numel == 1 else { fatalError("grad can be implicitly created only for scalar outputs") }
            seed = Tensor.onesLike(self)
        }
        Engine.run(root: self, gradient: seed, retainGraph: retainGraph)
    }
}
