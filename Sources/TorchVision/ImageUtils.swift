import Foundation
import Torch

/// Lays out a batch of images as one grid image, as `torchvision.utils.make_grid`.
///
/// Takes `[B, C, H, W]` (or `[B, H, W]`, one channel); one-channel images become three, as
/// torchvision does. The result is `[C, rows * (H + padding) + padding, cols * (W + padding) + padding]`
/// with `cols = min(nrow, B)`, in the input's dtype; a batch of one comes back unpadded.
///
/// ```swift
/// let grid = makeGrid(testSet.images[0..<64].unsqueeze(1))   // uint8 [3, 242, 242]
/// ```
public func makeGrid(_ images: Tensor, nrow: Int = 8, padding: Int = 2, padValue: Double = 0) -> Tensor {
    precondition(nrow >= 1 && padding >= 0, "makeGrid: nrow must be positive and padding not negative")
    var batch = images.dim == 3 ? images.unsqueeze(1) : images
    precondition(batch.dim == 4, "makeGrid: expected [B, C, H, W] or [B, H, W], got shape \(images.shape)")
    if batch.shape[1] == 1 { batch = Tensor.cat([batch, batch, batch], dim: 1) }
    let (count, channels, h, w) = (batch.shape[0], batch.shape[1], batch.shape[2], batch.shape[3])
    precondition(count >= 1, "makeGrid: the batch is empty")
    if count == 1 { return batch[0].contiguous() }

    let columns = min(nrow, count), rows = (count + columns - 1) / columns
    let cellH = h + padding, cellW = w + padding
    let outH = rows * cellH + padding, outW = columns * cellW + padding
    let source = withNoGrad { batch.detach().scalars(as: Float.self) }
    var grid = [Float](repeating: Float(padValue), count: channels * outH * outW)
    for k in 0..<count {
        let top = (k / columns) * cellH + padding, left = (k % columns) * cellW + padding
        for c in 0..<channels {
            for y in 0..<h {
                let from = ((k * channels + c) * h + y) * w
                let to = (c * outH + top + y) * outW + left
                grid.replaceSubrange(to..<(to + w), with: source[from..<(from + w)])
            }
        }
    }
    return Tensor(shape: [channels, outH, outW], scalars: grid).to(images.dtype)
}

/// An image tensor's pixels as interleaved 8-bit samples, ready for ``PNG/encode(width:height:channels:pixels:filter:level:)``.
///
/// Takes `[H, W]` or `[C, H, W]` with 1 to 4 channels; uint8 values are kept, floating values in
/// [0, 1] are scaled as `torchvision.utils.save_image` does (`x * 255 + 0.5`, clamped).
///
/// ```swift
/// let (width, height, channels, pixels) = imagePixels(makeGrid(batch))
/// ```
public func imagePixels(_ image: Tensor) -> (width: Int, height: Int, channels: Int, pixels: [UInt8]) {
    let chw = image.dim == 2 ? image.unsqueeze(0) : image
    precondition(chw.dim == 3 && (1...4).contains(chw.shape[0]),
                 "imagePixels: expected [H, W] or [C, H, W] with 1 to 4 channels, got shape \(image.shape)")
    let bytes: [UInt8] = withNoGrad {
        let x = chw.detach()
        if x.dtype == .uint8 { return x.permute(1, 2, 0).scalars(as: UInt8.self) }
        return x.permute(1, 2, 0).scalars(as: Float.self).map { UInt8(min(max($0 * 255 + 0.5, 0), 255)) }
    }
    return (chw.shape[2], chw.shape[1], chw.shape[0], bytes)
}

/// Saves a tensor as a PNG file, as `torchvision.utils.save_image`: a `[B, C, H, W]` batch is
/// laid out with ``makeGrid(_:nrow:padding:padValue:)`` first.
///
/// ```swift
/// try saveImage(batch, to: URL(fileURLWithPath: "samples.png"))
/// ```
public func saveImage(_ image: Tensor, to url: URL, nrow: Int = 8, padding: Int = 2) throws {
    let (width, height, channels, pixels) = imagePixels(image.dim == 4 ? makeGrid(image, nrow: nrow, padding: padding) : image)
    try PNG.write(to: url, width: width, height: height, channels: channels, pixels: pixels)
}

extension SummaryWriter {
    /// Logs an image tensor (`[C, H, W]` or `[H, W]`, uint8 or floats in [0, 1]) as a PNG, as
    /// `add_image` with `dataformats="CHW"`.
    ///
    /// ```swift
    /// writer.addImage("samples", makeGrid(batch), step: 0)
    /// ```
    public func addImage(_ tag: String, _ image: Tensor, step: Int, walltime: Double? = nil) {
        let (width, height, channels, pixels) = imagePixels(image)
        addImage(tag, png: PNG.encode(width: width, height: height, channels: channels, pixels: pixels),
                 width: width, height: height, channels: channels, step: step, walltime: walltime)
    }
}
