using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;

namespace Pulse.Bench;

/// <summary>Widget bytes as served (gzip and Brotli from the API) and the loader snippet as pasted (gzip -9).</summary>
static class WidgetScenario
{
    public static async Task RunAsync(BenchContext ctx)
    {
        var (db, _) = Seed.NewDatabase(ctx.File("widget.db"));
        using var api = await ServerProcess.StartApiAsync(db.FilePath);
        var gzip = await Served(api.Address, "gzip");
        var brotli = await Served(api.Address, "br");
        var identity = await Served(api.Address, "identity");
        var loader = await File.ReadAllBytesAsync(Path.Combine(Runner.RepoRoot(), "widget", "loader.js"));
        var loaderGzip = Gzip(loader);

        ctx.Report.Add(new Result("widget", "loader snippet, gzip -9", loaderGzip, "bytes", Target: "≤ 600 bytes", Pass: loaderGzip <= 600,
            Note: $"{loader.Length} bytes raw"));
        ctx.Report.Add(new Result("widget", "widget as served, gzip", gzip, "bytes", Target: "≤ 6 KB", Pass: gzip <= 6144,
            Note: $"{identity} bytes minified, {brotli} bytes Brotli"));
        // Every question kind is drawn by the same script (no lazy-loaded part), so each kind's page downloads these bytes.
        foreach (var kind in new[] { "nps", "csat", "ces", "enps" })
            ctx.Report.Add(new Result("widget", $"widget for a {kind} survey, gzip", gzip, "bytes", Target: "≤ 4 KB", Pass: gzip <= 4096,
                Note: "one script draws every kind"));
        ctx.Report.Note("Widget: `GET /widget/v1/pulse.js` with `Accept-Encoding: gzip`, `br` and `identity`, counting the body bytes the API sends " +
            "(precompressed once at start-up: gzip level 9, Brotli 11); the loader is the snippet vendors paste (`widget/loader.js`), compressed with gzip -9 here.");
    }

    static async Task<long> Served(Uri address, string encoding)
    {
        using var handler = new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None };
        using var http = new HttpClient(handler) { BaseAddress = address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/widget/v1/pulse.js");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadAsByteArrayAsync()).Length;
    }

    static int Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
            gz.Write(data);
        return (int)output.Length;
    }
}
