using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;

namespace Pulse.Bench;

/// <summary>
/// Widget bytes as served (gzip and Brotli from the API), the bytes each question kind's page downloads
/// without and with the reasons question (the widget, then the widget plus its reasons chunk), and the
/// loader snippet as pasted (gzip -9).
/// </summary>
static class WidgetScenario
{
    public static async Task RunAsync(BenchContext ctx)
    {
        var (db, _) = Seed.NewDatabase(ctx.File("widget.db"));
        using var api = await ServerProcess.StartApiAsync(db.FilePath);
        var gzip = await Served(api.Address, "gzip");
        var brotli = await Served(api.Address, "br");
        var identity = await Served(api.Address, "identity");
        var reasons = await Served(api.Address, "gzip", "/widget/v1/reasons.js");
        var loader = await File.ReadAllBytesAsync(Path.Combine(Runner.RepoRoot(), "widget", "loader.js"));
        var loaderGzip = Gzip(loader);

        ctx.Report.Add(new Result("widget", "loader snippet, gzip -9", loaderGzip, "bytes", Target: "≤ 600 bytes", Pass: loaderGzip <= 600,
            Note: $"{loader.Length} bytes raw"));
        ctx.Report.Add(new Result("widget", "widget as served, gzip", gzip, "bytes", Target: "≤ 6 KB", Pass: gzip <= 6144,
            Note: $"{identity} bytes minified, {brotli} bytes Brotli"));
        // Every question kind is drawn by the same script, so each kind's page downloads these bytes; a survey
        // that asks the reasons question loads its chunk after the score (docs/decisions.md, R7), for every kind.
        foreach (var kind in new[] { "nps", "csat", "ces", "enps" })
        {
            ctx.Report.Add(new Result("widget", $"widget for a {kind} survey, gzip", gzip, "bytes", Target: "≤ 4 KB", Pass: gzip <= 4096,
                Note: "one script draws every kind"));
            ctx.Report.Add(new Result("widget", $"widget for a {kind} survey with reasons, gzip", gzip + reasons, "bytes", Target: "≤ 5 KB", Pass: gzip + reasons <= 5120,
                Note: $"the widget and its reasons chunk ({reasons} bytes)"));
        }
        ctx.Report.Note("Widget: `GET /widget/v1/pulse.js` (and `/widget/v1/reasons.js` for the paths with reasons) with `Accept-Encoding: gzip`, `br` and `identity`, counting the body bytes the API sends " +
            "(precompressed once at start-up: gzip level 9, Brotli 11); the loader is the snippet vendors paste (`widget/loader.js`), compressed with gzip -9 here.");
    }

    static async Task<long> Served(Uri address, string encoding, string path = "/widget/v1/pulse.js")
    {
        using var handler = new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None };
        using var http = new HttpClient(handler) { BaseAddress = address };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
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
