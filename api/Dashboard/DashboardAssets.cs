using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace Pulse.Api.Dashboard;

/// <summary>One file of the dashboard, held in memory with its validator.</summary>
public sealed record DashboardAsset(string Name, string ContentType, byte[] Content, string ETag);

/// <summary>
/// The dashboard's static files (<c>api/Dashboard/assets/*</c>), embedded in the assembly so the
/// published API serves them without a content folder. Loaded once; each gets a strong ETag.
/// </summary>
public static class DashboardAssets
{
    const string Prefix = "Pulse.Dashboard.";

    static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    }.ToFrozenDictionary();

    public static FrozenDictionary<string, DashboardAsset> All { get; } = Load();

    public static DashboardAsset? Find(string name) => All.GetValueOrDefault(name);

    static FrozenDictionary<string, DashboardAsset> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var assets = new Dictionary<string, DashboardAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            var name = resource[Prefix.Length..];
            if (!ContentTypes.TryGetValue(Path.GetExtension(name), out var type))
                continue;
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"";
            assets[name] = new DashboardAsset(name, type, bytes, etag);
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
