namespace Pulse.Api.Workspaces;

/// <summary>
/// An allowed origin: <c>https://app.acme.com</c>, a subdomain wildcard <c>https://*.acme.com</c>,
/// or any port <c>http://localhost:*</c>. No paths, no other wildcards. Pure logic.
/// </summary>
public static class OriginPattern
{
    /// <summary>Normalises a pattern (lower case, no trailing slash) or explains why it is not one.</summary>
    public static bool TryNormalize(string? value, out string normalized, out string error)
    {
        normalized = "";
        error = "";
        if (string.IsNullOrWhiteSpace(value) || value.Length > 253)
        {
            error = "an origin is a non-empty string of at most 253 characters";
            return false;
        }
        var v = value.Trim().ToLowerInvariant().TrimEnd('/');
        var schemeEnd = v.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0 || v[..schemeEnd] is not ("http" or "https"))
        {
            error = $"'{value}' must start with http:// or https://";
            return false;
        }
        var rest = v[(schemeEnd + 3)..];
        if (rest.Contains('/') || rest.Contains('?') || rest.Contains('#') || rest.Contains('@'))
        {
            error = $"'{value}' must be an origin (scheme, host, optional port) without a path";
            return false;
        }
        SplitPort(rest, out var host, out var port, out var hasPort);
        if (hasPort && port is not "*" && !(int.TryParse(port, out var p) && p is > 0 and < 65536))
        {
            error = $"'{value}' has an invalid port";
            return false;
        }
        var bareHost = host.StartsWith("*.") ? host[2..] : host;
        if (bareHost.IsEmpty || bareHost.Contains('*') || bareHost.ContainsAnyExcept(HostChars))
        {
            error = $"'{value}' has an invalid host (a wildcard is only allowed as a leading '*.')";
            return false;
        }
        normalized = v;
        return true;
    }

    /// <summary>Whether a browser's Origin header matches one of the normalised patterns.</summary>
    /// <remarks>Runs on every widget call: it compares slices of the two strings and allocates nothing.</remarks>
    public static bool IsAllowed(IEnumerable<string> patterns, string? origin)
    {
        if (string.IsNullOrEmpty(origin) || origin == "null")
            return false;
        Span<char> o = origin.Length <= 256 ? stackalloc char[origin.Length] : new char[origin.Length];
        origin.AsSpan().ToLowerInvariant(o);
        var schemeEnd = o.IndexOf("://");
        if (schemeEnd <= 0)
            return false;
        ReadOnlySpan<char> scheme = o[..schemeEnd];
        SplitPort(o[(schemeEnd + 3)..], out var host, out var port, out var hasPort);
        foreach (var pattern in patterns)
        {
            var p = pattern.AsSpan();
            var ps = p.IndexOf("://");
            if (ps <= 0 || !p[..ps].SequenceEqual(scheme))
                continue;
            SplitPort(p[(ps + 3)..], out var patternHost, out var patternPort, out var patternHasPort);
            var portOk = patternHasPort && patternPort is "*" || patternHasPort == hasPort && patternPort.SequenceEqual(port);
            var hostOk = patternHost.StartsWith("*.")
                ? host.EndsWith(patternHost[1..]) && host.Length > patternHost.Length - 1
                : host.SequenceEqual(patternHost);
            if (portOk && hostOk)
                return true;
        }
        return false;
    }

    static void SplitPort(ReadOnlySpan<char> hostAndPort, out ReadOnlySpan<char> host, out ReadOnlySpan<char> port, out bool hasPort)
    {
        // IPv6 literals keep their colons inside brackets.
        var bracket = hostAndPort.LastIndexOf(']');
        var colon = hostAndPort.LastIndexOf(':');
        hasPort = colon > bracket;
        host = hasPort ? hostAndPort[..colon] : hostAndPort;
        port = hasPort ? hostAndPort[(colon + 1)..] : default;
    }

    /// <summary>The characters of a host: ASCII letters and digits, dots, hyphens, and an IPv6 literal's brackets and colons.</summary>
    static readonly System.Buffers.SearchValues<char> HostChars =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-[]:");
}
