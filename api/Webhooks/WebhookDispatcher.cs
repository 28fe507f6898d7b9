using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Pulse.Api.Operations;
using Pulse.Api.Storage;

namespace Pulse.Api.Webhooks;

/// <summary>Wakes the dispatcher when deliveries are queued, instead of waiting for its next poll.</summary>
public sealed class WebhookSignal
{
    readonly SemaphoreSlim _gate = new(0, 1);

    public void Notify()
    {
        if (_gate.CurrentCount > 0)
            return;
        try
        {
            _gate.Release();
        }
        catch (SemaphoreFullException)
        {
            // Another caller woke it first; one wake is enough.
        }
    }

    /// <summary>True when woken, false when <paramref name="timeout"/> passed.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _gate.WaitAsync(timeout, cancellationToken);
}

/// <summary>
/// Delivers the outbox at least once. Each round it takes the deliveries due by the injected
/// <see cref="TimeProvider"/> (at most <see cref="WebhookOptions.MaxConcurrency"/> in flight, and
/// <see cref="WebhookOptions.MaxConcurrencyPerEndpoint"/> per subscription, so a slow endpoint
/// cannot hold every slot), sends them, and records each outcome through the
/// <see cref="WriteQueue"/>: delivered, pending again after a backoff, or failed after the last
/// attempt. All state is in the database, so a restart resumes where the last process stopped;
/// a delivery whose outcome was not recorded (process killed mid-send) is sent again.
/// On PostgreSQL, where several instances share the outbox, each first leases the due rows it will send
/// (<see cref="WebhookStore.Claim"/>, <c>FOR UPDATE SKIP LOCKED</c>), so one instance sends each attempt; a dead
/// instance's leases expire after <see cref="WebhookOptions.Timeout"/> + <see cref="WebhookOptions.LeaseMargin"/> (I1).
/// </summary>
public sealed class WebhookDispatcher : BackgroundService
{
    readonly WebhookStore _store;
    readonly Db _db;
    readonly WebhookSender _sender;
    readonly WriteQueue _writer;
    readonly WebhookSignal _signal;
    readonly TimeProvider _time;
    readonly WebhookOptions _options;
    readonly ILogger<WebhookDispatcher> _log;
    readonly Counter<long> _outcomes;
    readonly Histogram<double> _durations;
    readonly ConcurrentDictionary<long, string> _inFlight = new();
    readonly List<Task> _attempts = [];
    DateTimeOffset _nextPrune = DateTimeOffset.MinValue;

    public WebhookDispatcher(WebhookStore store, Db db, WebhookSender sender, WriteQueue writer, WebhookSignal signal, TimeProvider time,
        IOptions<WebhookOptions> options, PulseMetrics metrics, ILogger<WebhookDispatcher> log)
    {
        _store = store;
        _db = db;
        _sender = sender;
        _writer = writer;
        _signal = signal;
        _time = time;
        _options = options.Value;
        _log = log;
        _outcomes = metrics.Meter.CreateCounter<long>("pulse.webhooks.deliveries", description:
            "Webhook attempts by outcome: delivered, retried (failed, tried again later) or failed (last attempt failed)");
        _durations = metrics.Meter.CreateHistogram<double>("pulse.webhooks.attempt.duration", unit: "ms",
            description: "Time of one webhook attempt, connect to response headers");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await StartDueAsync(stoppingToken);
                await PruneIfDueAsync();
            }
            catch (WriteQueueFullException)
            {
                // Busy or stopping: nothing was leased; the next round tries again.
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _log.LogError(ex, "Webhook dispatch round failed");
            }
            try
            {
                // Woken by a write hook, the rows are not committed yet: a no-op command through the
                // writer completes only after the batch that queued them has committed.
                if (await _signal.WaitAsync(_options.PollInterval, stoppingToken))
                    await _writer.ExecuteAsync((_, _) => { });
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (WriteQueueFullException)
            {
                // Busy or stopping; the next poll finds the rows anyway.
            }
        }
        Task[] running;
        lock (_attempts)
            running = [.. _attempts];
        await Task.WhenAll(running);
    }

    async Task StartDueAsync(CancellationToken stopping)
    {
        lock (_attempts)
            _attempts.RemoveAll(t => t.IsCompleted);
        var free = _options.MaxConcurrency - _inFlight.Count;
        if (free <= 0)
            return;
        var perWebhook = _inFlight.Values.GroupBy(w => w).ToDictionary(g => g.Key, g => g.Count());
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        // Busy subscriptions can return up to PerEndpoint rows each that are skipped below.
        var limit = free + perWebhook.Count * _options.MaxConcurrencyPerEndpoint;
        var chosen = new List<DueDelivery>();
        foreach (var delivery in _store.Due(now, _inFlight.Keys, _options.MaxConcurrencyPerEndpoint, limit))
        {
            if (chosen.Count >= free)
                break;
            var busy = perWebhook.GetValueOrDefault(delivery.WebhookId);
            if (busy >= _options.MaxConcurrencyPerEndpoint || _inFlight.ContainsKey(delivery.Id))
                continue;
            perWebhook[delivery.WebhookId] = busy + 1;
            chosen.Add(delivery);
        }
        string? owner = null;
        if (!_db.IsSqlite && chosen.Count > 0)
        {
            // Only the rows about to be sent are leased, and only those this instance now holds are sent.
            owner = _db.InstanceId;
            var until = now + (long)(_options.Timeout + _options.LeaseMargin).TotalMilliseconds;
            var ids = chosen.Select(d => d.Id).ToList();
            var held = await _writer.ExecuteAsync((c, tx) => WebhookStore.Claim(c, tx, ids, now, until, owner));
            chosen.RemoveAll(d => !held.Contains(d.Id));
        }
        foreach (var delivery in chosen)
        {
            if (!_inFlight.TryAdd(delivery.Id, delivery.WebhookId))
                continue;
            var attempt = Task.Run(() => AttemptAsync(delivery, owner, stopping), CancellationToken.None);
            lock (_attempts)
                _attempts.Add(attempt);
        }
    }

    async Task AttemptAsync(DueDelivery delivery, string? owner, CancellationToken stopping)
    {
        try
        {
            var started = Stopwatch.GetTimestamp();
            AttemptResult result;
            try
            {
                result = await _sender.SendAsync(delivery, _time.GetUtcNow(), stopping);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                // A bug, not the receiver's fault; count it as a failed attempt so it backs off like one.
                _log.LogError(ex, "Webhook delivery {DeliveryId} could not be sent", delivery.Id);
                result = new AttemptResult(false, null, "Pulse could not send this delivery (" + ex.GetType().Name + ").");
            }
            _durations.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var recorded = await _writer.ExecuteAsync((c, tx) => WebhookStore.RecordAttempt(c, tx, delivery.Id, result,
                _time.GetUtcNow().ToUnixTimeMilliseconds(), _options.MaxAttempts,
                attempts => RetrySchedule.Delay(attempts, _options.RetryBaseDelay, Random.Shared.NextDouble()), owner));
            _signal.Notify(); // a slot is free
            if (recorded is not { } outcome)
                return;
            var name = outcome.Status switch { "delivered" => "delivered", "failed" => "failed", _ => "retried" };
            _outcomes.Add(1, new KeyValuePair<string, object?>("outcome", name));
            if (name == "failed")
                _log.LogWarning("Webhook delivery {DeliveryId} of {EventId} to {WebhookId} failed after {Attempts} attempts: {Error}",
                    delivery.Id, delivery.EventId, delivery.WebhookId, outcome.Attempts, result.Error);
            else if (name == "retried")
                _log.LogInformation("Webhook delivery {DeliveryId} attempt {Attempts} failed, will retry: {Error}",
                    delivery.Id, outcome.Attempts, result.Error);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutting down mid-send: the delivery stays due and is sent again after the restart.
        }
        catch (WriteQueueFullException)
        {
            // The outcome could not be recorded; the delivery stays due and is sent again (at least once).
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "Webhook delivery {DeliveryId}: the outcome could not be recorded", delivery.Id);
        }
        finally
        {
            // No wake here: an attempt whose outcome was not recorded waits for the next poll.
            _inFlight.TryRemove(delivery.Id, out _);
        }
    }

    async Task PruneIfDueAsync()
    {
        var now = _time.GetUtcNow();
        if (now < _nextPrune)
            return;
        _nextPrune = now.AddHours(1);
        var before = now.AddDays(-_options.RetentionDays).ToUnixTimeMilliseconds();
        var deleted = await _writer.ExecuteAsync((c, tx) => WebhookStore.Prune(c, tx, before));
        if (deleted > 0)
            _log.LogInformation("Pruned {Count} finished webhook deliveries older than {Days} days", deleted, _options.RetentionDays);
    }
}
