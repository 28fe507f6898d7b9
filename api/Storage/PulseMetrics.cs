using System.Diagnostics.Metrics;

namespace Pulse.Api.Storage;

/// <summary>
/// The process's one <see cref="Meter"/> ("Pulse"); features create their instruments on it. It lives
/// in Storage, the bottom of the layering, because the writer records into it and every feature may.
/// </summary>
public sealed class PulseMetrics : IDisposable
{
    public const string MeterName = "Pulse";

    public PulseMetrics(IMeterFactory factory) => Meter = factory.Create(MeterName);

    public Meter Meter { get; }

    public void Dispose() => Meter.Dispose();
}
