using System.Net;
using System.Net.Sockets;

namespace Pulse.Api.Webhooks;

/// <summary>
/// Which URLs and addresses a webhook may be sent to: https only, and only public unicast
/// addresses (no loopback, private, link-local, shared/CGNAT, multicast, documentation or
/// reserved ranges, in IPv4 or IPv6, including IPv4 embedded in IPv6). Pure: classifies data,
/// never resolves or connects.
/// </summary>
public static class WebhookTargets
{
    public const int MaxUrlLength = 2048;

    /// <summary>Parses a webhook URL; <paramref name="allowInsecure"/> also admits <c>http</c>.</summary>
    public static bool TryParseUrl(string? value, bool allowInsecure, out Uri uri, out string error)
    {
        uri = null!;
        error = "";
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxUrlLength)
        {
            error = $"'url' is required: an absolute https URL of at most {MaxUrlLength} characters.";
            return false;
        }
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var parsed) || parsed.IsFile || parsed.IsUnc || string.IsNullOrEmpty(parsed.Host))
        {
            error = $"'{value}' is not an absolute URL.";
            return false;
        }
        var schemeOk = parsed.Scheme == Uri.UriSchemeHttps || (allowInsecure && parsed.Scheme == Uri.UriSchemeHttp);
        if (!schemeOk)
        {
            error = $"'{value}' must use https.";
            return false;
        }
        if (!string.IsNullOrEmpty(parsed.UserInfo))
        {
            error = "The URL must not carry credentials (user:password@); verify the webhook signature instead.";
            return false;
        }
        if (!string.IsNullOrEmpty(parsed.Fragment))
        {
            error = "The URL must not have a fragment (#…).";
            return false;
        }
        uri = parsed;
        return true;
    }

    /// <summary>Why <paramref name="address"/> is not a public address a webhook may reach, or null when it is.</summary>
    public static string? Refusal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            return Refusal(address.MapToIPv4()) is { } inner ? "an IPv4-mapped IPv6 address of " + inner : null;
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => RefusalV4(address.GetAddressBytes()),
            AddressFamily.InterNetworkV6 => RefusalV6(address.GetAddressBytes()),
            _ => "not an IP address",
        };
    }

    static string? RefusalV4(byte[] b) => b switch
    {
        [0, ..] => "an unspecified ('this network') address (0.0.0.0/8)",
        [10, ..] => "a private address (10.0.0.0/8)",
        [100, var x, ..] when (x & 0xC0) == 64 => "a shared carrier-grade NAT address (100.64.0.0/10)",
        [127, ..] => "a loopback address (127.0.0.0/8)",
        [169, 254, ..] => "a link-local address (169.254.0.0/16)",
        [172, var x, ..] when (x & 0xF0) == 16 => "a private address (172.16.0.0/12)",
        [192, 0, 0, _] => "an IETF protocol address (192.0.0.0/24)",
        [192, 0, 2, _] or [198, 51, 100, _] or [203, 0, 113, _] => "a documentation address",
        [192, 88, 99, _] => "a 6to4 relay anycast address (192.88.99.0/24)",
        [192, 168, ..] => "a private address (192.168.0.0/16)",
        [198, var x, ..] when (x & 0xFE) == 18 => "a benchmarking address (198.18.0.0/15)",
        [>= 224 and < 240, ..] => "a multicast address (224.0.0.0/4)",
        [>= 240, ..] => "a reserved or broadcast address (240.0.0.0/4)",
        _ => null,
    };

    static string? RefusalV6(byte[] b)
    {
        if (b.AsSpan(0, 15).IndexOfAnyExcept((byte)0) < 0)
            return b[15] switch
            {
                0 => "the unspecified address (::)",
                1 => "the loopback address (::1)",
                _ => "an IPv4-compatible IPv6 address (::/96, deprecated)",
            };
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0)
            return "an IPv4-compatible IPv6 address (::/96, deprecated)";
        // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last four bytes: judge that one.
        if (b is [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, ..])
            return RefusalV4(b[12..]) is { } inner ? "a NAT64 address of " + inner : null;
        if (b is [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01, ..])
            return "a local-use NAT64 address (64:ff9b:1::/48)";
        if ((b[0] & 0xFE) == 0xFC)
            return "a unique local (private) address (fc00::/7)";
        if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80)
            return "a link-local address (fe80::/10)";
        if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0)
            return "a site-local address (fec0::/10)";
        if (b[0] == 0xFF)
            return "a multicast address (ff00::/8)";
        // Everything public is inside global unicast 2000::/3.
        if ((b[0] & 0xE0) != 0x20)
            return "a reserved address (outside 2000::/3)";
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8)
            return "a documentation address (2001:db8::/32)";
        if (b[0] == 0x3F && b[1] == 0xFF && (b[2] & 0xF0) == 0x00)
            return "a documentation address (3fff::/20)";
        // 2001::/23 holds Teredo, ORCHID, benchmarking and other special-purpose blocks.
        if (b[0] == 0x20 && b[1] == 0x01 && (b[2] & 0xFE) == 0x00)
            return "an IETF special-purpose address (2001::/23, includes Teredo)";
        // 6to4 (2002::/16) carries an IPv4 address in bytes 2–5: judge that one.
        if (b[0] == 0x20 && b[1] == 0x02)
            return RefusalV4(b[2..6]) is { } inner ? "a 6to4 address of " + inner : null;
        return null;
    }
}
