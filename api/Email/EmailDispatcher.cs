using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Pulse.Api.Storage;
using Pulse.Api.Webhooks;

namespace Pulse.Api.Email;

/// <summary>
/// Sends the email outbox, one message at a time, never one twice. At start-up the messages a
/// killed process left in <c>sending</c> become <c>uncertain</c> (not sent again by themselves).
/// Each round it takes the messages due by the injected <see cref="TimeProvider"/>; for each it
/// first commits <c>sending</c> through the <see cref="WriteQueue"/>, then talks SMTP, then
/// records <c>sent</c> (and clears the bodies), or <c>pending</c> again after a backoff
/// (<see cref="RetrySchedule"/>), or <c>failed</c> after the last attempt. A message is queued
/// with its Message-ID, so a retry from the log sends the same message again. Off when email is
/// not configured. On PostgreSQL several instances share the outbox: <c>sending</c> carries the sending
/// instance's lease, and a message whose lease expired (its instance died) becomes <c>uncertain</c> on any
/// instance's next round (I1).
/// </summary>
public sealed class EmailDispatcher(EmailStore store, Db db, EmailSender sender, WriteQueue writer, [FromKeyedServices(EmailServices.Key)] WebhookSignal signal,
    TimeProvider time, IOptions<EmailOptions> options, PulseMetrics metrics, ILogger<EmailDispatcher> log) : BackgroundService
{
    const int RoundSize = 50;

    readonly Counter<long> _outcomes = metrics.Meter.CreateCounter<long>("pulse.email.messages", description:
        "Email attempts by outcome: sent, retried (failed, tried again later) or failed (last attempt failed)");

    DateTimeOffset _nextPrune = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Configured)
            return;
        if (db.IsSqlite)
            await MarkInterruptedAsync(long.MaxValue);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RoundAsync(stoppingToken);
                await PruneIfDueAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogError(ex, "Email dispatch round failed");
            }
            try
            {
                // Woken by a write hook, the rows are not committed yet: a no-op command through the
                // writer completes only after the batch that queued them has committed.
                if (await signal.WaitAsync(o.PollInterval, stoppingToken))
                    await writer.ExecuteAsync((_, _) => { });
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
    }

    /// <summary>Sends what is due now; returns how many messages were attempted.</summary>
    public async Task<int> RoundAsync(CancellationToken stoppingToken)
    {
        var attempted = 0;
        if (!db.IsSqlite)
            await MarkInterruptedAsync(time.GetUtcNow().ToUnixTimeMilliseconds());
        var lease = (long)(options.Value.Timeout * 3 + options.Value.LeaseMargin).TotalMilliseconds;
        try
        {
            foreach (var email in store.Due(time.GetUtcNow().ToUnixTimeMilliseconds(), RoundSize))
            {
                if (stoppingToken.IsCancellationRequested)
                    break;
                var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                if (!await writer.ExecuteAsync((c, tx) => EmailStore.StartSending(c, tx, email.Id, now, db.InstanceId, now + lease)))
                    continue;
                attempted++;
                await AttemptAsync(email);
            }
        }
        finally
        {
            await sender.CloseAsync();
        }
        return attempted;
    }

    /// <summary>Messages whose sender died mid-send (leases expired by <paramref name="expired"/>) become uncertain.</summary>
    async Task MarkInterruptedAsync(long expired)
    {
        var interrupted = await writer.ExecuteAsync((c, tx) => EmailStore.MarkInterrupted(c, tx, expired));
        if (interrupted > 0)
            log.LogWarning("{Count} email(s) were being sent when a Pulse instance stopped; they are marked uncertain and not sent again by themselves", interrupted);
    }

    async Task AttemptAsync(DueEmail email)
    {
        string? error = null;
        try
        {
            // Not cancelled by the stop: a conversation begun is finished and recorded (the writer drains after us).
            using var timeout = new CancellationTokenSource(options.Value.Timeout * 3);
            await sender.SendAsync(email, timeout.Token);
        }
        catch (Exception ex)
        {
            error = ex is OperationCanceledException ? "The SMTP server did not answer in time." : $"{ex.GetType().Name}: {ex.Message}";
            await sender.CloseAsync();
        }
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (error is null)
        {
            await writer.ExecuteAsync((c, tx) => EmailStore.RecordSent(c, tx, email.Id, now));
            _outcomes.Add(1, new KeyValuePair<string, object?>("outcome", "sent"));
            return;
        }
        var o = options.Value;
        var status = await writer.ExecuteAsync((c, tx) => EmailStore.RecordFailure(c, tx, email.Id, error, now, o.MaxAttempts,
            attempts => RetrySchedule.Delay(attempts, o.RetryBaseDelay, Random.Shared.NextDouble())));
        _outcomes.Add(1, new KeyValuePair<string, object?>("outcome", status == EmailStore.Failed ? "failed" : "retried"));
        if (status == EmailStore.Failed)
            log.LogWarning("Email {MessageId} failed after its last attempt: {Error}", email.MessageId, error);
        else
            log.LogInformation("Email {MessageId} attempt failed, will retry: {Error}", email.MessageId, error);
    }

    async Task PruneIfDueAsync()
    {
        var now = time.GetUtcNow();
        if (now < _nextPrune)
            return;
        _nextPrune = now.AddHours(1);
        var before = now.AddDays(-options.Value.RetentionDays).ToUnixTimeMilliseconds();
        var deleted = await writer.ExecuteAsync((c, tx) => EmailStore.PruneBefore(c, tx, before));
        if (deleted > 0)
            log.LogInformation("Pruned {Count} sent and failed emails older than {Days} days", deleted, options.Value.RetentionDays);
    }
}

/// <summary>
/// Queues each member's digest at their chosen hour (and weekday) in their time zone: one per
/// member, workspace and scheduled time (the outbox's dedupe key), recorded with the member's
/// last digest in the same transaction, so a restart neither repeats nor loses one. A digest more
/// than <see cref="DigestSchedule.Grace"/> late is skipped for the next. Off when email is not configured.
/// </summary>
public sealed class DigestScheduler(EmailStore store, DigestBuilder builder, EmailOutbox outbox, EmailLinks links, WriteQueue writer, TimeProvider time,
    IOptions<EmailOptions> options, ILogger<DigestScheduler> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Configured)
            return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync();
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not WriteQueueFullException)
            {
                log.LogError(ex, "Digest round failed");
            }
            catch (WriteQueueFullException)
            {
                // Busy or stopping; the next round queues it.
            }
            try
            {
                await Task.Delay(options.Value.DigestCheckInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Queues the digests due now; returns how many.</summary>
    public async Task<int> RunOnceAsync()
    {
        var queued = 0;
        foreach (var s in store.Subscribers())
        {
            var now = time.GetUtcNow();
            var zone = DigestSchedule.Zone(s.TimeZone) ?? TimeZoneInfo.Utc;
            var slot = DigestSchedule.LastSlot(s.Digest, (int)s.DigestDay, (int)s.DigestHour, zone, now);
            var slotMs = slot.ToUnixTimeMilliseconds();
            if (slotMs <= Math.Max(s.LastDigestSlot ?? long.MinValue, s.JoinedAt))
                continue;
            OutgoingEmail? email = null;
            if (now - slot <= DigestSchedule.Grace)
            {
                var (subject, html, text) = EmailTemplates.Digest(builder.Build(s.WorkspaceId, s.Digest, zone, slot, now.ToUnixTimeMilliseconds()), links.Dashboard);
                email = new OutgoingEmail(s.WorkspaceId, EmailKinds.Digest, s.Email, subject, html, text, s.MemberId,
                    DedupeKey: $"digest:{s.WorkspaceId}:{s.MemberId}:{slotMs}");
            }
            var sent = await writer.ExecuteAsync((c, tx) =>
            {
                EmailStore.DigestQueued(c, tx, s.WorkspaceId, s.MemberId, slotMs, now.ToUnixTimeMilliseconds());
                return email is not null && outbox.Queue(c, tx, email);
            });
            if (sent)
                queued++;
        }
        return queued;
    }
}
