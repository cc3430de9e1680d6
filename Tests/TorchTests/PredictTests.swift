import Foundation
import Testing
@testable import Torch
@testable import TorchVision
@testable import swifttorch

private let dataDir = "/usr/share/datasets/fashion-mnist"
private let hasData = FileManager.default.fileExists(atPath: dataDir + "/train-images-idx3-ubyte.gz")

private func predictScratchFile(_ name: String) -> URL {
    URL(fileURLWithPath: NSTemporaryDirectory() + "swifttorch-\(UUID().uuidString)-\(name)")
}

private func binaryPGM(width: Int, height: Int, _ pixels: [UInt8]) -> [UInt8] {
    Array("P5\n# written by a test\n\(width) \(height)\n255\n".utf8) + pixels
}

@Suite struct PGMTests {
    @Test func readsPlainBinaryAndSixteenBitImages() throws {
        let plain = try PGM.decode(Array("P2\n# comment\n3 2\n# another\n15\n0 15 5\n10 0 15\n".utf8), file: "a.pgm")
        #expect(plain.width == 3 && plain.height == 2 && plain.channels == 1)
        #expect(plain.pixels == [0, 255, 85, 170, 0, 255])

        let binary = try PGM.decode(binaryPGM(width: 2, height: 2, [0, 64, 128, 255]), file: "b.pgm")
        #expect(binary.pixels == [0, 64, 128, 255])

        let wide = try PGM.decode(Array("P5 2 1 65535\n".utf8) + [0xFF, 0xFF, 0x80, 0x00], file: "c.pgm")
        #expect(wide.pixels == [255, 128])

        let colour = try PGM.decode(Array("P6 1 1 255\n".utf8) + [255, 0, 0], file: "d.ppm")
        #expect(colour.channels == 3 && colour.pixels == [255, 0, 0])
    }

    @Test func malformedFilesAreErrorsNamingTheFile() {
        let cases: [[UInt8]] = [
            [], Array("P7 2 2 255\n".utf8), Array("GIF89a".utf8), Array("P5 2 2 255\n".utf8) + [1, 2],
            Array("P5 0 2 255\n".utf8), Array("P5 2 2 0\n".utf8), Array("P5 2 2 70000\n".utf8),
            Array("P2 2 1 10 3 11".utf8), Array("P2 2 1 10 3".utf8), Array("P5 99999999 99999999 255\n".utf8),
            Array("P2 8000 8000 255\n1 2 3".utf8), Array("P5 2 2 255".utf8), Array("P5 2 x 255\n".utf8),
        ]
        for bytes in cases {
            do {
                _ = try PGM.decode(bytes, file: "/tmp/broken.pgm")
                Issue.record("no error for \(String(decoding: bytes, as: UTF8.self))")
            } catch {
                #expect("\(error)".hasPrefix("/tmp/broken.pgm: "), "\(error)")
            }
        }
        // Random truncations and byte flips: errors or images, never a crash.
        var rng = SystemRandomNumberGenerator()
        let good = binaryPGM(width: 5, height: 4, (0..<20).map { UInt8($0 * 12) })
        for _ in 0..<2_000 {
            var bytes = Array(good.prefix(Int.random(in: 0...good.count, using: &rng)))
            if !bytes.isEmpty, Bool.random(using: &rng) { bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            _ = try? PGM.decode(bytes, file: "fuzz.pgm")
        }
    }
}

@Suite struct ModelImageTests {
    @Test func areaResizeAveragesAndRepeats() {
        // 4x4 -> 2x2 averages 2x2 blocks; 2x2 -> 4x4 repeats each pixel.
        let src: [Float] = [0, 0, 1, 1,
                            0, 0, 1, 1,
                            0.5, 0.5, 0.25, 0.25,
                            0.5, 0.5, 0.75, 0.75]
        #expect(ModelImage.resize(src, width: 4, height: 4, to: 2, 2) == [0, 1, 0.5, 0.5])
        #expect(ModelImage.resize([0, 1, 0.5, 0.25], width: 2, height: 2, to: 4, 4)
                == [0, 0, 1, 1, 0, 0, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.5, 0.5, 0.25, 0.25])
        // 3 -> 2: the middle pixel is shared half and half; uniform images stay uniform.
        let row = ModelImage.resize([0, 0.5, 1], width: 3, height: 1, to: 2, 1)
        #expect(abs(row[0] - 1.0 / 6.0) < 1e-6 && abs(row[1] - 5.0 / 6.0) < 1e-6)
        #expect(ModelImage.resize([Float](repeating: 0.3, count: 37 * 53), width: 37, height: 53, to: 28, 28)
            .allSatisfy { abs($0 - 0.3) < 1e-5 })
        // Colour by luminance, alpha over black.
        #expect(ModelImage.grey([255, 0, 0, 0, 255, 0], channels: 3, alpha: false).map { ($0 * 1000).rounded() } == [299, 587])
        #expect(ModelImage.grey([200, 128], channels: 2, alpha: true).map { ($0 * 255).rounded() } == [100])
    }

    @Test func pngGreyAlphaIsCompositedOverBlack() throws {
        let bytes = PNG.encode(width: 2, height: 1, channels: 2, pixels: [200, 255, 200, 0])
        let decoded = try ModelImage.decodeGrey(bytes, file: "ga.png")
        #expect(decoded.width == 2 && decoded.height == 1)
        #expect(decoded.grey.map { ($0 * 255).rounded() } == [200, 0])
    }

    @Test func nonImageFilesAreErrorsNamingTheFile() throws {
        let url = predictScratchFile("notes.png")
        try Data("hello".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect { _ = try ModelImage.load(url) } throws: { "\($0)".contains(url.path) }
        let missing = predictScratchFile("missing.pgm")
        #expect { _ = try ModelImage.load(missing) } throws: { "\($0)".contains(missing.path) }
    }
}

/// `swifttorch predict` on images written by the test, with a model trained on a small subset.
@Suite(.serialized, .enabled(if: hasData, "needs Debian's dataset-fashion-mnist"))
struct PredictIntegrationTests {
    @Test func predictClassifiesPGMImagesLikeTheDatasetTensors() throws {
        let runDir = URL(fileURLWithPath: NSTemporaryDirectory() + "swifttorch-predict-\(UUID().uuidString)")
        var written: [URL] = []
        defer {
            try? FileManager.default.removeItem(at: runDir)
            for url in written { try? FileManager.default.removeItem(at: url) }
        }
        try Train.parse(["--data", dataDir, "--limit", "300", "--epochs", "1", "--batch-size", "50", "--threads", "1",
                         "--output", runDir.path]).run()
        let (_, test) = try DataLocation.load(URL(fileURLWithPath: dataDir), limit: 300)
        let image = test.images[0].scalars(as: UInt8.self)

        // The same picture as P5, as P2 at twice the size, and as grey RGB (P6): all give the
        // dataset's own tensor, so predict sees what evaluation sees.
        let p5 = predictScratchFile("boot.pgm"), p2 = predictScratchFile("boot-big.pgm"), p6 = predictScratchFile("boot.ppm")
        let png = predictScratchFile("boot.png"), rgba = predictScratchFile("boot-rgba-big.png")
        written = [p5, p2, p6, png, rgba]
        try PNG.write(to: png, width: 28, height: 28, channels: 1, pixels: image)
        // Three times the size, RGBA, opaque: grey by luminance, shrunk back by area averaging.
        let rgbaPixels = (0..<84).flatMap { y in (0..<84).flatMap { x -> [UInt8] in
            let v = image[(y / 3) * 28 + x / 3]
            return [v, v, v, 255]
        } }
        try PNG.write(to: rgba, width: 84, height: 84, channels: 4, pixels: rgbaPixels)
        try Data(binaryPGM(width: 28, height: 28, image)).write(to: p5)
        let big = (0..<56).map { y in (0..<56).map { x in String(image[(y / 2) * 28 + x / 2]) }.joined(separator: " ") }
        try Data(("P2\n56 56\n255\n" + big.joined(separator: "\n") + "\n").utf8).write(to: p2)
        try Data(Array("P6 28 28 255\n".utf8) + image.flatMap { [$0, $0, $0] }).write(to: p6)
        let expected = Transforms.toTensor(test.images[0]).scalars(as: Float.self)
        for url in written {
            let input = try ModelImage.load(url)
            #expect(input.shape == [1, 1, 28, 28])
            let got = input.scalars(as: Float.self)
            #expect(zip(got, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(url.lastPathComponent)")
        }

        let net = Network()
        _ = try Checkpoint.load(from: runDir, into: net, optimizer: nil)
        let p = Predict.probabilities(net, try ModelImage.load(p5))
        #expect(p.count == 10 && abs(p.reduce(0, +) - 1) < 1e-4)
        let best = p.indices.max { p[$0] < p[$1] }!
        let viaEvaluation = withNoGrad { net(Transforms.toTensor(test.images[0]).unsqueeze(0)).argmax(dim: 1).item(as: Int.self) }
        #expect(best == viaEvaluation)
        let line = Predict.line(p5.path, probabilities: p, top: 3)
        #expect(line.hasPrefix("\(p5.path): \(FashionMNIST.classes[best]) (probability "))
        #expect(line.contains("; then "))
        #expect(Predict.line("x.pgm", probabilities: p, top: 1).range(of: #"^x\.pgm: [A-Za-z/ -]+ \(probability [01]\.\d\d\)$"#,
                                                                     options: .regularExpression) != nil)

        // The real command: a line per good image; a bad one is an error naming it and exit status 1.
        if ToolProcess.available {
            let ok = try ToolProcess.run(["predict", runDir.path, p5.path, png.path, "--top", "3"])
            #expect(ok.status == 0, "\(ok.stderr)")
            let lines = ok.stdout.split(separator: "\n")
            #expect(lines.count == 2)
            #expect(lines.last.map { $0.hasPrefix("\(png.path): \(FashionMNIST.classes[best]) (probability ") } == true)
            #expect(lines.first.map { $0.hasPrefix("\(p5.path): \(FashionMNIST.classes[best]) (probability ") } == true)

            let bad = predictScratchFile("bad.pgm")
            written.append(bad)
            try Data(Array("P5 28 28 255\n".utf8) + image.prefix(100)).write(to: bad)
            let badPNG = predictScratchFile("bad.png")
            written.append(badPNG)
            try Data(try Data(contentsOf: png).prefix(60)).write(to: badPNG)
            let failed = try ToolProcess.run(["predict", runDir.path, bad.path, badPNG.path, p5.path])
            #expect(failed.status == 1)
            #expect(failed.stderr.contains(bad.path) && failed.stderr.contains(badPNG.path), "\(failed.stderr)")
            #expect(failed.stdout.contains(p5.path))   // the good image is still classified
            let noModel = try ToolProcess.run(["predict", runDir.path + "-missing", p5.path])
            #expect(noModel.status == 1 && noModel.stderr.contains("model.safetensors"))
        }
    }
}
