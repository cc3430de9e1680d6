import ArgumentParser
import Foundation
import Torch
import TorchVision

/// `swifttorch predict RUN_DIR IMAGE...`: classifies PNG or PGM images with a trained model.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify PNG or PGM images with the model of a run directory.",
        discussion: """
            Images are converted to 28x28 greyscale (colour by luminance, resized by area averaging). \
            Fashion-MNIST shows light clothes on a black background; pass --invert for dark clothes on white.
            """)

    @Argument(help: "Run directory holding model.safetensors.") var runDirectory: String
    @Argument(help: "PNG or PGM (P2/P5) images; PPM (P3/P6) colour images work too.") var images: [String]
    @Option(help: "Print the N most likely classes.") var top = 1
    @Flag(help: "Invert the grey values first (for dark objects on a light background).") var invert = false

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one image") }
        guard (1...10).contains(top) else { throw ValidationError("--top must be between 1 and 10") }
    }

    func run() throws {
        let net = Network()
        try reportingToolErrors {
            _ = try Checkpoint.load(from: URL(fileURLWithPath: runDirectory), into: net, optimizer: nil)
        }
        var failed = false
        for path in images {
            do {
                let input = try ModelImage.load(URL(fileURLWithPath: path), invert: invert)
                print(Predict.line(path, probabilities: Predict.probabilities(net, input), top: top))
            } catch {
                // A bad file is reported and skipped; the exit status says something failed.
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                failed = true
            }
        }
        if failed { throw ExitCode.failure }
    }

    /// Class probabilities (softmax of the logits) for a `[1, 1, 28, 28]` input.
    static func probabilities(_ net: Module, _ input: Tensor) -> [Float] {
        net.eval()
        return withNoGrad { softmax(net(input), dim: 1).scalars(as: Float.self) }
    }

    /// `IMAGE: Class (probability 0.93)`, then the runners-up when `top` > 1.
    static func line(_ image: String, probabilities p: [Float], top: Int) -> String {
        let order = p.indices.sorted { p[$0] != p[$1] ? p[$0] > p[$1] : $0 < $1 }
        let names = FashionMNIST.classes
        var text = "\(image): \(names[order[0]]) (probability \(String(format: "%.2f", p[order[0]])))"
        if top > 1 {
            text += "; then " + order[1..<min(top, order.count)]
                .map { "\(names[$0]) \(String(format: "%.2f", p[$0]))" }.joined(separator: ", ")
        }
        return text
    }
}

/// Turns an image file into the network's input: 28x28 grey values in [0, 1], `[1, 1, 28, 28]`.
enum ModelImage {
    static let side = 28

    /// Reads a PNG or PGM/PPM file (told apart by their first bytes, not the file name).
    static func load(_ url: URL, invert: Bool = false) throws -> Tensor {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: url)) } catch {
            throw SerializationError.unreadable(file: url.path, reason: error.localizedDescription)
        }
        let (grey, width, height) = try decodeGrey(bytes, file: url.path)
        var small = resize(grey, width: width, height: height, to: side, side)
        if invert { small = small.map { 1 - $0 } }
        return Tensor(shape: [1, 1, side, side], scalars: small)
    }

    /// Grey values in [0, 1], row-major, and the size.
    static func decodeGrey(_ bytes: [UInt8], file: String) throws -> (grey: [Float], width: Int, height: Int) {
        if bytes.starts(with: PNG.signature) {
            let image = try PNG.decode(bytes, file: file)
            let alpha = image.channels == 2 || image.channels == 4
            return (grey(image.pixels, channels: image.channels, alpha: alpha), image.width, image.height)
        }
        if PGM.isPGM(bytes) {
            let image = try PGM.decode(bytes, file: file)
            return (grey(image.pixels, channels: image.channels, alpha: false), image.width, image.height)
        }
        throw SerializationError.invalidImage(file: file, format: "image",
                                              reason: "neither PNG nor PGM/PPM (P2, P3, P5, P6)")
    }

    /// Interleaved 8-bit samples to grey in [0, 1]: colour by luminance (ITU-R 601, as
    /// torchvision's `rgb_to_grayscale`), alpha composited over black, Fashion-MNIST's background.
    static func grey(_ samples: [UInt8], channels: Int, alpha: Bool) -> [Float] {
        let colour = channels >= 3
        let count = samples.count / channels
        return (0..<count).map { i in
            let base = i * channels
            var v: Float = colour
                ? 0.299 * Float(samples[base]) + 0.587 * Float(samples[base + 1]) + 0.114 * Float(samples[base + 2])
                : Float(samples[base])
            if alpha { v *= Float(samples[base + channels - 1]) / 255 }
            return v / 255
        }
    }

    /// Resamples by area: each output pixel is the mean of the source area it covers, weighted by
    /// overlap. Shrinking averages; enlarging repeats pixels (nearest, blended at the seams).
    static func resize(_ src: [Float], width: Int, height: Int, to outWidth: Int, _ outHeight: Int) -> [Float] {
        if width == outWidth && height == outHeight { return src }
        // Overlap of output cell `o` with each source cell along one axis: (index, weight) pairs.
        func spans(_ n: Int, _ outN: Int) -> [[(Int, Float)]] {
            let scale = Double(n) / Double(outN)
            return (0..<outN).map { o in
                let lo = Double(o) * scale, hi = Double(o + 1) * scale
                var parts: [(Int, Float)] = []
                var i = Int(lo)
                while Double(i) < hi && i < n {
                    let w = min(hi, Double(i + 1)) - max(lo, Double(i))
                    if w > 1e-12 { parts.append((i, Float(w / scale))) }
                    i += 1
                }
                return parts
            }
        }
        let xs = spans(width, outWidth), ys = spans(height, outHeight)
        var out = [Float](repeating: 0, count: outWidth * outHeight)
        for oy in 0..<outHeight {
            for ox in 0..<outWidth {
                var sum: Float = 0
                for (y, wy) in ys[oy] {
                    for (x, wx) in xs[ox] { sum += src[y * width + x] * wy * wx }
                }
                out[oy * outWidth + ox] = sum
            }
        }
        return out
    }
}
