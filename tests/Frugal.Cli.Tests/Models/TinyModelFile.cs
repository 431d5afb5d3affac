using System.Security.Cryptography;
using Frugal.Models;

namespace Frugal.Tests.Models;

/// <summary>The tiny synthesized model as the bytes a model hub would serve, with their SHA-256 in lower-case hex.</summary>
internal sealed record TinyModelFile(byte[] Bytes, string Sha256)
{
    /// <summary>Writes the tiny model into <paramref name="temp"/> and reads it back.</summary>
    public static async Task<TinyModelFile> WriteAsync(TempDirectory temp)
    {
        var path = temp.File("source.gguf");
        ModelSynthesizer.WriteTiny(path);
        var bytes = await File.ReadAllBytesAsync(path);
        return new TinyModelFile(bytes, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }
}
