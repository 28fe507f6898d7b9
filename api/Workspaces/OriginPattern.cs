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
        var (host, port) = SplitPort(rest);
        if (port is not null && port != "*" && !(int.TryParse(port, out var p) && p is > 0 and < 65536))
        {
            error = $"'{value}' has an invalid port";
            return false;
        }
        var bareHost = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
        if (bareHost.Length == 0 || bareHost.Contains('*') || !bareHost.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '[' or ']' or ':'))
        {
            error = $"'{value}' has an invalid host (a wildcard is only allowed as a leading '*.')";
            return false;
        }
        normalized = v;
        return true;
    }

    /// <summary>Whether a browser's Origin header matches one of the normalised patterns.</summary>
    public static bool IsAllowed(IEnumerable<string> patterns, string? origin)
    {
        if (string.IsNullOrEmpty(origin) || origin == "null")
            return false;
        var o = origin.ToLowerInvariant();
        var schemeEnd = o.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
            return false;
        var scheme = o[..schemeEnd];
        var (host, port) = SplitPort(o[(schemeEnd + 3)..]);
        foreach (var pattern in patterns)
        {
            var ps = pattern.IndexOf("://", StringComparison.Ordinal);
            if (ps <= 0 || pattern[..ps] != scheme)
                continue;
            var (patternHost, patternPort) = SplitPort(pattern[(ps + 3)..]);
            var portOk = patternPort == "*" || patternPort == port;
            var hostOk = patternHost.StartsWith("*.", StringComparison.Ordinal)
                ? host.EndsWith(patternHost[1..], StringComparison.Ordinal) && host.Length > patternHost.Length - 1
                : host == patternHost;
            if (portOk && hostOk)
                return true;
        }
        return false;
    }

    static (string Host, string? Port) SplitPort(string hostAndPort)
    {
        // IPv6 literals keep their colons inside brackets.
        var bracket = hostAndPort.LastIndexOf(']');
        var colon = hostAndPort.LastIndexOf(':');
        return colon > bracket ? (hostAndPort[..colon], hostAndPort[(colon + 1)..]) : (hostAndPort, null);
    }
}
