using System.Globalization;
using System.Net;
using CsvHelper;
using Pulse.Api.Workspaces;
using Pulse.Tests.Fakers;
using Pulse.Tests.Support;

namespace Pulse.Tests.Analytics;

/// <summary>
/// The export of 100,000 responses over a real loopback server streams: the process's live managed
/// memory stays a small fraction of the export's size while it is read, and the CSV parses back.
/// Not parallelizable: it measures the memory of the whole process.
/// </summary>
[NonParallelizable]
public sealed class CsvExportStreamingTests
{
    const int Responses = 100_000;

    PulseFactory _app = null!;
    CreatedWorkspace _acme = null!;
    long _newestId;
    long _oldestId;

    [OneTimeSetUp]
    public async Task Start()
    {
        _app = new PulseFactory();
        _app.StartKestrel();
        _acme = _app.CreateWorkspace("Acme");
        var accounts = NpsFakers.Accounts(901).Generate(200);
        var users = NpsFakers.Users(902, accounts).Generate(5000);
        var showings = NpsFakers.Showings(903, users, new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
            .Generate(Responses)
            .Select((s, i) => s with { Score = i % 11, Comment = $"Comment {i}: the reports page is slow, please fix the export and the filters" })
            .ToList();
        var seeded = await new AnalyticsSeed(_app).AddAsync(_acme.WorkspaceId, showings, perCommand: 2000);
        var ordered = seeded.OrderBy(s => s.AnsweredAt).ThenBy(s => s.ResponseId).ToList();
        (_oldestId, _newestId) = (ordered[0].ResponseId!.Value, ordered[^1].ResponseId!.Value);
    }

    [OneTimeTearDown]
    public void Stop() => _app.Dispose();

    [Test]
    public async Task Export_OfOneHundredThousandResponses_StreamsInBoundedMemory_AndParsesBack()
    {
        using var http = _app.SecretClient(_acme.SecretKey);
        var baseline = GC.GetTotalMemory(forceFullCollection: true);

        using var response = await http.GetAsync("/v1/responses.csv", HttpCompletionOption.ResponseHeadersRead);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentLength, Is.Null, "streamed, not buffered to a known length");
        var body = new MeasuringStream(await response.Content.ReadAsStreamAsync(), sampleEveryBytes: 1 << 20);

        using var reader = CsvReader.Create(body, CsvReaderOptions.Default with { Separator = ',' });
        long rows = 0, previousId = long.MaxValue, firstId = 0, lastId = 0;
        var wellFormed = true;
        while (await reader.ReadAsync())
        {
            var id = long.Parse(reader.GetString("id"), CultureInfo.InvariantCulture);
            wellFormed &= id != previousId && reader.GetString("comment").StartsWith("Comment ", StringComparison.Ordinal)
                && reader.GetString("traits.plan").Length > 0;
            if (rows++ == 0)
                firstId = id;
            previousId = lastId = id;
        }

        var peak = body.PeakLiveBytes - baseline;
        TestContext.Out.WriteLine($"export {body.BytesRead / 1e6:F1} MB, peak live managed memory +{peak / 1e6:F1} MB over {body.Samples} samples");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rows, Is.EqualTo(Responses));
            Assert.That(wellFormed, Is.True, "every row parsed with its id, comment and trait columns");
            Assert.That(firstId, Is.EqualTo(_newestId), "newest first");
            Assert.That(lastId, Is.EqualTo(_oldestId));
            Assert.That(body.BytesRead, Is.GreaterThan(20_000_000));
            Assert.That(body.Samples, Is.GreaterThan(10));
            Assert.That(peak, Is.LessThan(body.BytesRead / 8), "the export must not be held in memory");
        }
    }

    /// <summary>Counts what is read and samples the live managed heap (after a full collection) every so many bytes.</summary>
    sealed class MeasuringStream(Stream inner, long sampleEveryBytes) : Stream
    {
        long _sampled;

        public long BytesRead { get; private set; }
        public long PeakLiveBytes { get; private set; }
        public int Samples { get; private set; }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        int Count(int n)
        {
            BytesRead += n;
            if (BytesRead - _sampled >= sampleEveryBytes)
            {
                _sampled = BytesRead;
                Samples++;
                PeakLiveBytes = Math.Max(PeakLiveBytes, GC.GetTotalMemory(forceFullCollection: true));
            }
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
