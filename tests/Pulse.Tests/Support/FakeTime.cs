namespace Pulse.Tests.Support;

/// <summary>A clock tests move by hand, so no test sleeps to wait for a throttle.</summary>
public sealed class FakeTime(DateTimeOffset start) : TimeProvider
{
    readonly Lock _gate = new();
    DateTimeOffset _now = start;

    public FakeTime() : this(new DateTimeOffset(2026, 3, 2, 12, 0, 0, TimeSpan.Zero)) { }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
            return _now;
    }

    public void Advance(TimeSpan by)
    {
        lock (_gate)
            _now += by;
    }

    public void Set(DateTimeOffset to)
    {
        lock (_gate)
            _now = to;
    }
}
