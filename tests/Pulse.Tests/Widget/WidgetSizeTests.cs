using System.IO.Compression;
using System.Text;
using Pulse.Api.Widget;

namespace Pulse.Tests.Widget;

/// <summary>
/// Size is a feature: the build fails when the snippet or the widget outgrows its budget.
/// Budgets are in gzip -9 bytes of what browsers receive (the widget as served, minified; the
/// loader as pasted into the vendor's page). The sizes are printed for docs/benchmarks.md.
/// </summary>
public sealed class WidgetSizeTests
{
    const int LoaderBudget = 600;
    const int WidgetBudget = 6 * 1024;

    static int Gzip9(byte[] bytes)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize))
            gzip.Write(bytes);
        return buffer.ToArray().Length;
    }

    static int Brotli11(byte[] bytes)
    {
        using var buffer = new MemoryStream();
        using (var brotli = new BrotliStream(buffer, CompressionLevel.SmallestSize))
            brotli.Write(bytes);
        return buffer.ToArray().Length;
    }

    [Test]
    public async Task Widget_AsServed_FitsIn6KBGzip()
    {
        using var app = new Support.PulseFactory();
        using var http = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/widget/v1/pulse.js");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
        var served = await (await http.SendAsync(request)).Content.ReadAsByteArrayAsync();
        var script = WidgetAssets.Current.Script;

        TestContext.Out.WriteLine($"widget: {script.Bytes.Length} B minified ({Encoding.UTF8.GetByteCount(Support.Repository.Read("widget/pulse.js"))} B source), " +
            $"{served.Length} B gzip -9 as served, {script.Brotli.Length} B brotli 11 as served");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(served, Has.Length.EqualTo(Gzip9(script.Bytes)), "served gzip is level 9");
            Assert.That(served, Has.Length.LessThanOrEqualTo(WidgetBudget), "widget over its gzip budget");
            Assert.That(script.Brotli, Has.Length.LessThan(served.Length));
        }
    }

    /// <summary>The two paths of a survey: NPS alone loads the widget; with reasons, the widget and its reasons chunk.</summary>
    const int NpsPathBudget = 4 * 1024;
    const int ReasonsChunkBudget = 1024;

    [Test]
    public async Task EachPath_AsServed_FitsItsGzipBudget()
    {
        using var app = new Support.PulseFactory();
        using var http = app.CreateClient();
        async Task<int> Served(string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");
            var response = await http.SendAsync(request);
            Assert.That(response.Content.Headers.ContentEncoding, Does.Contain("gzip"), path);
            return (await response.Content.ReadAsByteArrayAsync()).Length;
        }
        var widget = await Served("/widget/v1/pulse.js");
        var chunk = await Served("/widget/v1/reasons.js");

        TestContext.Out.WriteLine($"paths (gzip -9 as served): nps {widget} B; nps + reasons {widget + chunk} B (chunk {chunk} B)");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(widget, Is.LessThanOrEqualTo(NpsPathBudget), "NPS path (widget alone) over 4 KB gzip");
            Assert.That(chunk, Is.LessThanOrEqualTo(ReasonsChunkBudget), "reasons chunk over its budget");
            Assert.That(chunk, Is.EqualTo(Gzip9(WidgetAssets.Current.Reasons.Bytes)), "served gzip is level 9");
        }
    }

    /// <summary>
    /// Every question kind is drawn by the one script (no kind lazy-loads code; docs/decisions.md, K6),
    /// so the bytes a page asking any kind downloads are the widget's, and the whole widget stays within 4 KB gzip.
    /// </summary>
    [TestCase("nps")]
    [TestCase("csat")]
    [TestCase("ces")]
    [TestCase("enps")]
    public void EveryKindPath_FitsIn4KBGzip(string kind)
    {
        var script = WidgetAssets.Current.Script;
        var source = System.Text.Encoding.UTF8.GetString(script.Bytes);
        var gzip = Gzip9(script.Bytes);
        TestContext.Out.WriteLine($"widget for {kind}: {gzip} B gzip -9 (one script for every kind)");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Pulse.Api.Surveys.QuestionKinds.Names, Does.Contain(kind));
            Assert.That(source, Does.Not.Contain("import("), "no kind loads code lazily, so the script is the whole path");
            Assert.That(gzip, Is.LessThanOrEqualTo(4096), $"the {kind} path is over 4 KB gzip");
        }
    }

    [Test]
    public void Loader_AsPasted_FitsIn600BytesGzip()
    {
        var loader = Encoding.UTF8.GetBytes(WidgetAssets.Current.Loader);
        var gzip = Gzip9(loader);

        TestContext.Out.WriteLine($"loader: {loader.Length} B as pasted, {gzip} B gzip -9, {Brotli11(loader)} B brotli 11");
        Assert.That(gzip, Is.LessThanOrEqualTo(LoaderBudget), "loader over its gzip budget");
    }

    internal static string RepositoryRoot() => Support.Repository.Root;
}
