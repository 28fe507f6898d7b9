using System.Diagnostics.Metrics;

namespace Pulse.Tests.Support;

/// <summary>A plain <see cref="IMeterFactory"/> for constructing services outside a host.</summary>
public sealed class PlainMeterFactory : IMeterFactory
{
    readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options);
        _meters.Add(meter);
        return meter;
    }

    public void Dispose() => _meters.ForEach(m => m.Dispose());
}
