namespace Frugal.Inference.Batching;

/// <summary>Prefix arithmetic on token lists.</summary>
internal static class TokenPrefix
{
    /// <summary>How many leading tokens <paramref name="a"/> and <paramref name="b"/> share.</summary>
    public static int Common(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        var n = Math.Min(a.Count, b.Count);
        var i = 0;
        while (i < n && a[i] == b[i])
        {
            i++;
        }

        return i;
    }
}
