using System.Diagnostics.Metrics;
using Pulse.Api.Operations;
using Pulse.Api.Storage;

namespace Pulse.Api.Responses;

/// <summary>Counters of answers, dismissals, opt-outs and erasures (counted after their commit).</summary>
public sealed class ResponseMetrics(PulseMetrics metrics)
{
    readonly Counter<long> _responses = metrics.Meter.CreateCounter<long>("pulse.responses",
        description: "Responses saved, by category and operation (created, updated)");
    readonly Counter<long> _declines = metrics.Meter.CreateCounter<long>("pulse.declines",
        description: "Surveys dismissed");
    readonly Counter<long> _optOuts = metrics.Meter.CreateCounter<long>("pulse.opt_outs",
        description: "Users who opted out of surveys");
    readonly Counter<long> _erasures = metrics.Meter.CreateCounter<long>("pulse.erasures",
        description: "Users erased");

    public void ResponseSaved(string category, bool created) => _responses.Add(1,
        new KeyValuePair<string, object?>("category", category),
        new KeyValuePair<string, object?>("operation", created ? "created" : "updated"));

    public void Declined() => _declines.Add(1);

    public void OptedOut() => _optOuts.Add(1);

    public void Erased() => _erasures.Add(1);
}
