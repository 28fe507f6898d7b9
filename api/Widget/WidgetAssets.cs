using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace Pulse.Api.Widget;

/// <summary>One file as served: the bytes, their precompressed forms and their validators.</summary>
public sealed class ServedFile
{
    public ServedFile(string name, string contentType, byte[] bytes)
    {
        Name = name;
        ContentType = contentType;
        Bytes = bytes;
        Gzip = Compress(bytes, s => new GZipStream(s, CompressionLevel.SmallestSize));
        Brotli = Compress(bytes, s => new BrotliStream(s, CompressionLevel.SmallestSize));
        var sha256 = SHA256.HashData(bytes);
        Fingerprint = Convert.ToHexStringLower(sha256)[..12];
        ETag = $"\"{Fingerprint}\"";
        Integrity = "sha384-" + Convert.ToBase64String(SHA384.HashData(bytes));
    }

    public string Name { get; }
    public string ContentType { get; }
    public byte[] Bytes { get; }
    /// <summary>gzip at the smallest size (zlib level 9, like <c>gzip -9</c>).</summary>
    public byte[] Gzip { get; }
    /// <summary>Brotli at quality 11.</summary>
    public byte[] Brotli { get; }
    /// <summary>First 12 hex digits of the SHA-256 of <see cref="Bytes"/>: the fingerprint in the immutable URL.</summary>
    public string Fingerprint { get; }
    public string ETag { get; }
    /// <summary>Subresource Integrity value for pinned embeds.</summary>
    public string Integrity { get; }

    static byte[] Compress(byte[] bytes, Func<Stream, Stream> wrap)
    {
        using var buffer = new MemoryStream();
        using (var compressor = wrap(buffer))
            compressor.Write(bytes);
        return buffer.ToArray();
    }
}

/// <summary>
/// The widget files, read once per process from resources embedded from <c>widget/</c> (see
/// Pulse.Api.csproj), minified, and compressed with gzip and Brotli up front, so a request only
/// picks a byte array. The loader is not served: it is the snippet vendors paste into their pages.
/// </summary>
public sealed class WidgetAssets
{
    static readonly Lazy<WidgetAssets> Instance = new(() => new WidgetAssets());

    WidgetAssets()
    {
        Script = new ServedFile("pulse.js", "text/javascript; charset=utf-8", Encoding.UTF8.GetBytes(Resource("Pulse.Widget.pulse.min.js")));
        Reasons = new ServedFile("reasons.js", "text/javascript; charset=utf-8", Encoding.UTF8.GetBytes(Resource("Pulse.Widget.reasons.min.js")));
        Loader = Resource("Pulse.Widget.loader.js");
    }

    /// <summary>Built on first use, which <see cref="WidgetExtensions.AddWidget"/> makes start-up.</summary>
    public static WidgetAssets Current => Instance.Value;

    /// <summary>The widget as served: minified, with gzip and Brotli forms.</summary>
    public ServedFile Script { get; }

    /// <summary>The reasons step (widget/reasons.js), loaded by the widget only when a survey asks the reasons question.</summary>
    public ServedFile Reasons { get; }

    /// <summary>widget/loader.js: the snippet (queue stub, async script tag, init call) with placeholders.</summary>
    public string Loader { get; }

    /// <summary>The immutable URL of the current script.</summary>
    public string FingerprintedPath => $"/widget/v1/pulse.{Script.Fingerprint}.js";

    internal static string Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded resource {name} is missing; see Pulse.Api.csproj.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    internal static byte[] ResourceBytes(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name);
        if (stream is null)
            return [];
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
