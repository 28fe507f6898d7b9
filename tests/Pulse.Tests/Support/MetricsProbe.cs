using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Pulse.Api.Operations;
using Pulse.Api.Storage;

namespace Pulse.Tests.Support;

/// <summary>
/// Sums the long counters one app reports on its own "Pulse" meter (other fixtures' apps are
/// ignored), by instrument and tag set: <c>probe.Sum("pulse.responses", ("category", "promoter"))</c>.
/// </summary>
public sealed class MetricsProbe : IDisposable
{
    readonly MeterListener _listener;
    readonly ConcurrentQueue<(string Instrument, KeyValuePair<string, object?>[] Tags, long Value)> _measurements = new();

    public MetricsProbe(PulseFactory app)
    {
        var meter = app.Services.GetRequiredService<PulseMetrics>().Meter;
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter == meter)
                    listener.EnableMeasurementEvents(instrument);
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            _measurements.Enqueue((instrument.Name, tags.ToArray(), value)));
        _listener.Start();
    }

    /// <summary>The total of <paramref name="instrument"/> over measurements carrying every tag given.</summary>
    public long Sum(string instrument, params (string Key, string Value)[] tags) =>
        _measurements.Where(m => m.Instrument == instrument
                && tags.All(t => m.Tags.Any(k => k.Key == t.Key && Equals(k.Value, t.Value))))
            .Sum(m => m.Value);

    public void Dispose() => _listener.Dispose();
}
