using Frugal.Models;

namespace Frugal.Tests.Models;

/// <summary>Copies a GGUF model with one metadata value replaced (or added), tensors included.</summary>
internal static class ModelRewriter
{
    public static void Rewrite(string source, string destination, string key, GgufValue value)
    {
        var file = GgufReader.Read(source);
        var writer = new GgufWriter(file.Alignment, file.Version);
        foreach (var (k, v) in file.MetadataEntries)
        {
            writer.Set(k, v);
        }

        writer.Set(key, value);
        var bytes = File.ReadAllBytes(source);
        foreach (var t in file.Tensors)
        {
            writer.AddTensor(t.Name, t.Type, t.Dimensions, bytes.AsMemory((int)(file.DataOffset + t.Offset), (int)t.ByteSize));
        }

        writer.WriteTo(destination);
    }
}
