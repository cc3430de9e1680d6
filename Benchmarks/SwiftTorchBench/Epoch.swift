import Foundation
import Torch

// One training epoch of the course CNN over Fashion-MNIST, read straight from the IDX files
// (the same decoding as TorchVision's reader, kept here so the benchmark depends on Torch only).

/// Fashion-MNIST images as uint8 `[N, 28, 28]` and labels as int64 `[N]`; batches are gathered
/// and scaled to [0, 1] in one go, as TorchVision's `FashionMNIST.batch` does.
struct IDXImages: Dataset {
    let images: Tensor
    let labels: Tensor

    init(directory: String, limit: Int?) throws {
        func read(_ stem: String, magic: UInt32) throws -> (shape: [Int], bytes: [UInt8]) {
            let path = ["\(directory)/\(stem).gz", "\(directory)/\(stem)"].first { FileManager.default.fileExists(atPath: $0) }
            guard let path, let data = FileManager.default.contents(atPath: path) else {
                throw BenchError("cannot read \(directory)/\(stem)(.gz)")
            }
            let raw = try gunzipIfNeeded(data, file: path)
            func be32(_ at: Int) -> Int { raw[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
            guard raw.count >= 8, UInt32(be32(0)) == magic else { throw BenchError("\(path): not an IDX file of the expected kind") }
            let dims = Int(raw[3])
            let shape = (0..<dims).map { be32(4 + 4 * $0) }
            let start = 4 + 4 * dims
            guard raw.count - start == shape.reduce(1, *) else { throw BenchError("\(path): truncated") }
            return (shape, Array(raw[start...]))
        }
        var img = try read("train-images-idx3-ubyte", magic: 0x0803)
        var lab = try read("train-labels-idx1-ubyte", magic: 0x0801)
        if let limit, limit < img.shape[0] {
            img = ([limit] + img.shape.dropFirst(), Array(img.bytes.prefix(limit * 28 * 28)))
            lab = ([limit], Array(lab.bytes.prefix(limit)))
        }
        images = Tensor(shape: img.shape, scalars: img.bytes)
        labels = Tensor(shape: lab.shape, scalars: lab.bytes).to(.int64)
    }

    var count: Int { images.shape[0] }
    subscript(i: Int) -> (Tensor, Tensor) { batch([i]) }
    func batch(_ indices: [Int]) -> (Tensor, Tensor) {
        let idx = Tensor(shape: [indices.count], scalars: indices.map(Int64.init))
        return withNoGrad { ((images.indexSelect(0, idx).to(.float32) / 255.0).unsqueeze(1), labels.indexSelect(0, idx)) }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Trains one epoch as the course loop does (Adam lr 0.01, batch 100, shuffled, loss and
/// accuracy tallied per batch) and reports time, loss, accuracy and peak RSS.
func runEpoch(dataDirectory: String, limit: Int?, threads: Int) throws {
    manualSeed(50)
    let data = try IDXImages(directory: dataDirectory, limit: limit)
    let net = CourseNetwork()
    let opt = Adam(net.parameters(), lr: 0.01)
    let loader = DataLoader(data, batchSize: 100, shuffle: true)
    let rssLoaded = procStatusMiB("VmRSS") ?? 0
    let t0 = now(), c0 = cpuNow()
    var totalLoss = 0.0, correct = 0, batches = 0
    for (images, labels) in loader {
        let preds = net(images)
        let loss = crossEntropy(preds, labels)
        opt.zeroGrad()
        loss.backward()
        opt.step()
        totalLoss += Double(loss.item())
        correct += preds.argmax(dim: 1).eq(labels).sum().item(as: Int.self)
        batches += 1
    }
    let seconds = now() - t0, cpuSeconds = cpuNow() - c0
    emit([
        ("impl", .string("swifttorch")), ("workload", .string("epoch_fashion_mnist")), ("threads", .int(threads)),
        ("median_s", .number(seconds)), ("min_s", .number(seconds)), ("max_s", .number(seconds)),
        ("reps", .int(1)), ("inner", .int(1)), ("cpu_s", .number(cpuSeconds)),
        ("images", .int(data.count)), ("batches", .int(batches)),
        ("check", .number(totalLoss)), ("accuracy", .number(Double(correct) / Double(data.count))),
        ("rss_loaded_mib", .number(rssLoaded)), ("peak_rss_mib", .number(procStatusMiB("VmHWM") ?? 0)),
    ])
}
