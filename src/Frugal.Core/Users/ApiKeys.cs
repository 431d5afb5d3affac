using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Frugal.Users;

/// <summary>
/// How API keys are made and checked, shared by every store. A key is <c>frugal_</c> followed by
/// 32 random bytes in base64url (43 characters). Its first <see cref="LookupIdLength"/> characters
/// after the prefix are stored in clear as a lookup id; the key itself is kept only as
/// SHA-256(salt ‖ key) with a random 16-byte salt, compared in constant time. One SHA-256 suffices
/// because the key has 256 random bits: no dictionary or brute force can reach it, the salt only
/// keeps equal keys from having equal hashes.
/// </summary>
public static class ApiKeys
{
    /// <summary>The text every key starts with.</summary>
    public const string Prefix = "frugal_";

    /// <summary>Characters after <see cref="Prefix"/> kept in clear to find the key's row.</summary>
    public const int LookupIdLength = 12;

    private const int KeyBytes = 32;
    private const int SaltBytes = 16;
    private static readonly int EncodedLength = Base64Url.GetEncodedLength(KeyBytes);

    /// <summary>A new random key.</summary>
    public static string Generate() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(KeyBytes));

    /// <summary>A new random salt.</summary>
    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(SaltBytes);

    /// <summary>The lookup id of a well-formed key, or null when <paramref name="key"/> cannot be one of ours.</summary>
    public static string? TryGetLookupId(string? key)
    {
        if (key is null || key.Length != Prefix.Length + EncodedLength || !key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var body = key.AsSpan(Prefix.Length);
        foreach (var c in body)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return null;
            }
        }

        return key.Substring(Prefix.Length, LookupIdLength);
    }

    /// <summary>SHA-256(salt ‖ UTF-8 key).</summary>
    public static byte[] Hash(string key, ReadOnlySpan<byte> salt)
    {
        ArgumentNullException.ThrowIfNull(key);
        var keyBytes = Encoding.UTF8.GetBytes(key);
        var buffer = new byte[salt.Length + keyBytes.Length];
        salt.CopyTo(buffer);
        keyBytes.CopyTo(buffer.AsSpan(salt.Length));
        var hash = SHA256.HashData(buffer);
        CryptographicOperations.ZeroMemory(buffer);
        CryptographicOperations.ZeroMemory(keyBytes);
        return hash;
    }

    /// <summary>True when <paramref name="key"/> hashes to <paramref name="expectedHash"/> with <paramref name="salt"/> (constant time).</summary>
    public static bool Verify(string key, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> expectedHash) =>
        CryptographicOperations.FixedTimeEquals(Hash(key, salt), expectedHash);
}
