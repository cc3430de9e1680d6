import Torch

/// The tutorial "Callable Neural Networks - Linear Layers in Depth", replayed step by step.
/// Each step shows the Swift code (prefixed `> `) and prints what PyTorch prints.
enum LinearWalkthrough {
    static func run(_ emit: @escaping (String) -> Void) {
        // A private generator, so the numbers are PyTorch's whatever other threads draw.
        withGenerator(Generator()) { replay(emit) }
    }

    private static func replay(_ emit: @escaping (String) -> Void) {
        manualSeed(50)
        emit("> let inFeatures = Tensor([1, 2, 3, 4], dtype: .float32)")
        let inFeatures = Tensor([1, 2, 3, 4], dtype: .float32)
        emit("> let weightMatrix = Tensor([[1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 6]], dtype: .float32)")
        let weightMatrix = Tensor([[1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 6]], dtype: .float32)
        emit("> print(weightMatrix.matmul(inFeatures))")
        emit(weightMatrix.matmul(inFeatures).description)

        emit("> var fc = Linear(inFeatures: 4, outFeatures: 3, bias: true)")
        var fc = Linear(inFeatures: 4, outFeatures: 3, bias: true)
        emit("> print(fc)")
        emit(fc.description)
        emit("> print(fc(inFeatures))")
        emit(fc(inFeatures).description)
        emit("> fc.weight = Parameter(weightMatrix)")
        fc.weight = Parameter(weightMatrix)
        emit("> print(fc.weight)")
        emit(fc.weight.description)
        emit("> print(fc(inFeatures))")
        emit(fc(inFeatures).description)

        emit("> fc = Linear(inFeatures: 4, outFeatures: 3, bias: false); fc.weight = Parameter(weightMatrix)")
        fc = Linear(inFeatures: 4, outFeatures: 3, bias: false)
        fc.weight = Parameter(weightMatrix)
        emit("> print(fc(inFeatures))")
        emit(fc(inFeatures).description)

        emit("> fc.registerForwardPreHook { _, _ in print(\"entering forward of Linear\"); return nil }")
        emit("> fc.registerForwardHook { _, _, _ in print(\"leaving forward of Linear\"); return nil }")
        fc.registerForwardPreHook { _, _ in emit("entering forward of Linear"); return nil }
        fc.registerForwardHook { _, _, _ in emit("leaving forward of Linear"); return nil }
        emit("> print(fc(inFeatures))")
        emit(fc(inFeatures).description)
    }
}
