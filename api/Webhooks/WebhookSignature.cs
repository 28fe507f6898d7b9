using System.Security.Cryptography;
using System.Text;

namespace Pulse.Api.Webhooks;

/// <summary>
/// Standard Webhooks signing (https://www.standardwebhooks.com): secrets are <c>whsec_</c> +
/// base64 of random bytes, and a signature is <c>v1,</c> + base64(HMAC-SHA256(secretBytes,
/// id + "." + timestamp + "." + body)). Pure: no I/O, no clock.
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";

    /// <summary>A new secret: 32 random bytes (the spec asks for 24–64).</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The key bytes of a secret: the base64 after <c>whsec_</c> (the prefix is optional, as in the reference libraries).</summary>
    public static byte[] KeyBytes(string secret) =>
        Convert.FromBase64String(secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret);

    /// <summary>One signature, <c>v1,&lt;base64&gt;</c>, over the exact bytes of the body.</summary>
    public static string Sign(string secret, string messageId, long timestampSeconds, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(FormattableString.Invariant($"{messageId}.{timestampSeconds}."));
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(KeyBytes(secret), content));
    }

    /// <summary>
    /// The <c>webhook-signature</c> header: one signature per secret, space-separated, so a
    /// receiver that knows either the old or the new secret accepts the message during rotation.
    /// </summary>
    public static string Header(IEnumerable<string> secrets, string messageId, long timestampSeconds, ReadOnlySpan<byte> body)
    {
        var signatures = new List<string>();
        foreach (var secret in secrets)
            signatures.Add(Sign(secret, messageId, timestampSeconds, body));
        return string.Join(' ', signatures);
    }
}
