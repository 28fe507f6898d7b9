using System.Security.Cryptography;
using System.Text;

namespace Pulse.Api.Workspaces;

/// <summary>Generation and checking of every credential Pulse hands out. No I/O.</summary>
public static class Keys
{
    const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>Public key for the snippet: <c>pk_</c> + 24 random characters.</summary>
    public static string NewSiteKey() => "pk_" + RandomString(24);

    /// <summary>Server key: <c>sk_</c> + 40 random characters (≈206 bits).</summary>
    public static string NewSecretKey() => "sk_" + RandomString(40);

    /// <summary>The secret a vendor's backend signs user ids with.</summary>
    public static string NewIdentitySecret() => "ids_" + RandomString(40);

    /// <summary>A new id with a readable prefix, e.g. <c>ws_k3j…</c>.</summary>
    public static string NewId(string prefix) => prefix + "_" + RandomString(16);

    public static string RandomString(int length) => RandomNumberGenerator.GetString(Alphabet, length);

    /// <summary>SHA-256 of a secret key: what the database stores instead of the key.</summary>
    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>Constant-time comparison of two hashes or MACs.</summary>
    public static bool SameBytes(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => CryptographicOperations.FixedTimeEquals(a, b);

    /// <summary>"sk_…wxyz": enough for a human to tell keys apart, useless to an attacker.</summary>
    public static string Hint(string secret) => secret[..3] + "…" + secret[^4..];

    /// <summary><c>lowercase hex(HMAC-SHA256(identitySecret, userId))</c>, the value a vendor's backend sends as userHash.</summary>
    public static string UserHash(string identitySecret, string userId) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(identitySecret), Encoding.UTF8.GetBytes(userId)));

    /// <summary>Checks a presented userHash in constant time; malformed input is simply false.</summary>
    public static bool VerifyUserHash(string identitySecret, string userId, string? presented)
    {
        if (presented is null || presented.Length != 64)
            return false;
        Span<byte> given = stackalloc byte[32];
        if (Convert.FromHexString(presented, given, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
            return false;
        Span<byte> expected = stackalloc byte[32];
        // Every widget call of a verifying workspace checks one: the secret and the id are encoded on the stack (H15).
        var keyLength = Encoding.UTF8.GetMaxByteCount(identitySecret.Length);
        var idLength = Encoding.UTF8.GetMaxByteCount(userId.Length);
        if (keyLength + idLength > 2048)
        {
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(identitySecret), Encoding.UTF8.GetBytes(userId), expected);
            return CryptographicOperations.FixedTimeEquals(expected, given);
        }
        Span<byte> utf8 = stackalloc byte[keyLength + idLength];
        var key = utf8[..Encoding.UTF8.GetBytes(identitySecret, utf8)];
        var id = utf8.Slice(keyLength, Encoding.UTF8.GetBytes(userId, utf8[keyLength..]));
        HMACSHA256.HashData(key, id, expected);
        CryptographicOperations.ZeroMemory(utf8);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
