import Torch

/// The course's CNN for 28x28 Fashion-MNIST images: two 5x5 convolutions with ReLU and 2x2 max
/// pooling, then a 192-120-60-10 classifier. The same layers, names and initialisation as the
/// PyTorch course's `Network`, so state dicts interchange.
final class Network: Module, @unchecked Sendable {
    let conv1 = Conv2d(inChannels: 1, outChannels: 6, kernelSize: 5)
    let conv2 = Conv2d(inChannels: 6, outChannels: 12, kernelSize: 5)
    let fc1 = Linear(inFeatures: 12 * 4 * 4, outFeatures: 120)
    let fc2 = Linear(inFeatures: 120, outFeatures: 60)
    let out = Linear(inFeatures: 60, outFeatures: 10)

    override func forward(_ t: Tensor) -> Tensor {
        var t = maxPool2d(relu(conv1(t)), kernelSize: 2, stride: 2)
        t = maxPool2d(relu(conv2(t)), kernelSize: 2, stride: 2)
        t = relu(fc1(t.reshape(-1, 12 * 4 * 4)))
        return out(relu(fc2(t)))
    }
}
