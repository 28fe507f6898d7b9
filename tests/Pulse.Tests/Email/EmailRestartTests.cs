using System.Net;
using System.Net.Sockets;
using Dapper;
using Pulse.Api.Email;
using Pulse.Api.Storage;
using Pulse.Api.Workspaces;
using Pulse.Tests.Support;

namespace Pulse.Tests.Email;

/// <summary>
/// Never twice, across SIGKILL: the API runs as its own process. An email queued (its SMTP server
/// refusing) when the process is killed is sent exactly once by the next one, with the Message-ID
/// it was queued with; one killed mid-conversation is marked uncertain and not sent again until
/// someone retries it from the log.
/// </summary>
[Category(TestCategories.Process)]
public sealed class EmailRestartTests
{
    Smtp4Dev _smtp = null!;
    TempDirectory _dir = null!;
    string _db = null!;
    string _secretKey = null!;

    [OneTimeSetUp]
    public async Task StartSmtp() => _smtp = await Smtp4Dev.StartAsync();

    [OneTimeTearDown]
    public void StopSmtp() => _smtp?.Dispose();

    [SetUp]
    public async Task Prepare()
    {
        await _smtp.ClearAsync();
        _dir = new TempDirectory();
        _db = _dir.File("email.db");
        var db = new Db($"Data Source={_db}", _dir.Path);
        using var c = db.Open();
        Migrator.Apply(c, TimeProvider.System);
        using var tx = c.BeginTransaction(deferred: false);
        _secretKey = WorkspaceStore.Create(c, tx, new NewWorkspace("Acme", ["https://app.acme.test"]), TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds(),
            Pulse.Api.Cli.PulseCli.WorkspaceHooks).SecretKey;
        tx.Commit();
    }

    [TearDown]
    public void Clean() => _dir.Dispose();

    Dictionary<string, string> Settings(int port, string timeout = "00:00:05") => new()
    {
        ["Email:Smtp:Host"] = "127.0.0.1",
        ["Email:Smtp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Email:Smtp:UseStartTls"] = "false",
        ["Email:Smtp:From"] = "pulse@pulse.test",
        ["Email:RetryBaseDelay"] = "00:00:00.200",
        ["Email:Timeout"] = timeout,
    };

    (string Status, long Attempts, string MessageId) Row()
    {
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_db};Mode=ReadOnly");
        c.Open();
        return c.QuerySingle<(string, long, string)>("SELECT status, attempts, message_id FROM email_outbox");
    }

    async Task Invite(ApiProcess api)
    {
        using var http = new HttpClient { BaseAddress = api.Address };
        http.DefaultRequestHeaders.Authorization = new("Bearer", _secretKey);
        var created = await http.PostAsync("/v1/members", Json.Of(new { email = "dana@acme.test", role = "analyst" }));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
    }

    static async Task Until(Func<bool> done)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (!done() && started.Elapsed < TimeSpan.FromMinutes(1))
            await Task.Delay(100);
    }

    [Test]
    public async Task AnEmailQueuedWhenTheApiIsKilled_IsSentExactlyOnceAfterTheRestart_WithItsMessageId()
    {
        using (var first = await ApiProcess.StartAsync(_db, Settings(ApiProcess.FreeLoopbackPort())))
        {
            await Invite(first);
            // The refused attempt is over when the message is back to pending with an attempt counted
            // (during the attempt it is 'sending', which a kill would leave uncertain: the other test).
            await Until(() => Row() is { Attempts: >= 1, Status: EmailStore.Pending });
            first.Kill();
        }
        var queued = Row();
        Assert.That(queued.Status, Is.EqualTo(EmailStore.Pending), "queued, refused once, not sent");

        using (var second = await ApiProcess.StartAsync(_db, Settings(_smtp.SmtpPort)))
        {
            await Until(() => Row().Status == EmailStore.Sent);
            second.Kill();
        }
        // A third process finds nothing to send: the message is sent, whatever the kill interrupted.
        using (var third = await ApiProcess.StartAsync(_db, Settings(_smtp.SmtpPort)))
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            third.Kill();
        }
        var received = await _smtp.MessagesAsync();
        Assert.Multiple(() =>
        {
            Assert.That(received, Has.Count.EqualTo(1), "exactly once");
            Assert.That(received[0].MessageId, Is.EqualTo(queued.MessageId), "the Message-ID it was queued with");
            Assert.That(Row().Status, Is.EqualTo(EmailStore.Sent));
        });
    }

    [Test]
    public async Task AnEmailKilledMidConversation_IsUncertain_NotSentAgainByItself_UntilRetriedFromTheLog()
    {
        // An SMTP server that accepts the connection and never greets: the dispatcher waits mid-send.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<TcpClient>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                    accepted.Add(await silent.AcceptTcpClientAsync());
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        });
        using (var first = await ApiProcess.StartAsync(_db, Settings(((IPEndPoint)silent.LocalEndpoint).Port, timeout: "00:05:00")))
        {
            await Invite(first);
            await Until(() => Row().Status == EmailStore.Sending);
            Assert.That(Row().Status, Is.EqualTo(EmailStore.Sending));
            first.Kill();
        }
        silent.Stop();
        await accepting;
        foreach (var client in accepted)
            client.Dispose();

        using var second = await ApiProcess.StartAsync(_db, Settings(_smtp.SmtpPort));
        await Until(() => Row().Status != EmailStore.Sending);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var afterRestart = Row();
        var nothing = await _smtp.MessagesAsync();

        using var http = new HttpClient { BaseAddress = second.Address };
        http.DefaultRequestHeaders.Authorization = new("Bearer", _secretKey);
        var log = await (await http.GetAsync("/v1/email/deliveries")).ReadJson<EmailDeliveryPage>();
        var retried = await http.PostAsync($"/v1/email/deliveries/{log.Items.Single().Id}/retry", null);
        var received = await _smtp.WaitForAsync(1);
        Assert.Multiple(() =>
        {
            Assert.That(afterRestart.Status, Is.EqualTo(EmailStore.Uncertain));
            Assert.That(nothing, Is.Empty, "not sent again by itself");
            Assert.That(log.Items.Single().LastError, Does.Contain("may have been sent"));
            Assert.That(retried.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
            Assert.That(received.Single().MessageId, Is.EqualTo(afterRestart.MessageId));
        });
    }
}
