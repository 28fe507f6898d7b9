using System.Diagnostics.Metrics;

namespace Pulse.Api.Operations;

/// <summary>The process's one <see cref="Meter"/> ("Pulse"); features create their instruments on it.</summary>
public sealed class PulseMetrics : IDisposable
{
    public const string MeterName = "Pulse";

    public PulseMetrics(IMeterFactory factory) => Meter = factory.Create(MeterName);

    public Meter Meter { get; }

    public void Dispose() => Meter.Dispose();
}
