using Dapper;
using Microsoft.Data.Sqlite;
using Pulse.Api.Responses;
using Pulse.Api.Storage;
using Pulse.Api.Webhooks;
using Pulse.Tests.Support;

namespace Pulse.Tests.Durability;

/// <summary>
/// Ids that leave the process (responses, displays, webhook deliveries) are never given out twice:
/// after the newest rows are erased, the next ones get higher ids, so a webhook consumer never
/// sees an erased person's answer id on someone else's answer.
/// </summary>
public sealed class IdReuseTests
{
    const string Origin = "https://app.acme.test";

    [Test]
    public async Task AfterErasingTheNewestRows_TheNextDisplayResponseAndDelivery_GetNewIds()
    {
        using var app = new PulseFactory();
        app.StartKestrel(); // erasure reads the user id from the raw request target, which only a real server keeps
        var ws = app.CreateWorkspace(origins: [Origin]);
        using var server = app.SecretClient(ws.SecretKey);
        using var browser = app.BrowserClient(Origin);
        var webhook = await (await server.PostAsync("/v1/webhooks",
            Json.Of(new { url = "http://127.0.0.1:9/hook", events = new[] { "response.created" } }))).ReadJson<WebhookResponse>(201);

        async Task<(long Display, long Response, long Delivery)> AnswerAs(string userId)
        {
            var (display, token) = app.CreateDisplay(ws.WorkspaceId, userId);
            var saved = await (await browser.PostAsync("/v1/responses", Json.Of(new { displayToken = token, score = 9 }))).ReadJson<SavedResponse>(201);
            var deliveries = await (await server.GetAsync($"/v1/webhooks/{webhook.Id}/deliveries")).ReadJson<DeliveryPage>();
            return (display.Id, saved.Id, deliveries.Items.Max(d => d.Id));
        }

        var first = await AnswerAs("ada");
        (await server.DeleteAsync("/v1/users/ada")).EnsureSuccessStatusCode();
        Assert.That(app.Count("responses"), Is.Zero, "the erased answer is gone");
        var second = await AnswerAs("bob");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(second.Display, Is.GreaterThan(first.Display), "display id");
            Assert.That(second.Response, Is.GreaterThan(first.Response), "response id");
            Assert.That(second.Delivery, Is.GreaterThan(first.Delivery), "delivery id");
        }
    }

    [Test]
    public void RebuildMigration_KeepsRowsIdsAndForeignKeys_AndStopsReuse()
    {
        using var dir = new TempDirectory();
        var db = new Db($"Data Source={dir.File("m.db")}", dir.Path);
        var time = TimeProvider.System;
        const int Before = 30;
        using (var c = db.Open())
        {
            Migrator.Apply(c, time, upTo: Before);
            using var tx = c.BeginTransaction(deferred: false);
            // The schema of version 30, so rows go in by hand (today's stores write later columns).
            c.Execute("""
                INSERT INTO workspaces (id, name, product_name, site_key, identity_secret, created_at, updated_at)
                VALUES ('ws_old', 'Old', 'Old', 'pk_old', 'ids_old', 1, 1);
                INSERT INTO surveys (id, workspace_id, name, created_at, updated_at) VALUES ('srv_old', 'ws_old', 'NPS', 1, 1);
                """, transaction: tx);
            var ws = new { WorkspaceId = "ws_old" };
            const string survey = "srv_old";
            c.Execute("INSERT INTO end_users (workspace_id, user_id, first_seen_at, last_seen_at) VALUES (@W, 'u', 1, 1)", new { W = ws.WorkspaceId }, tx);
            foreach (var id in new[] { 5, 9 })
            {
                c.Execute("""
                    INSERT INTO displays (id, workspace_id, survey_id, user_id, token_hash, shown_at, expires_at, answered_at)
                    VALUES (@Id, @W, @S, 'u', randomblob(32), 1, 2, 1)
                    """, new { Id = id, W = ws.WorkspaceId, S = survey }, tx);
                c.Execute("""
                    INSERT INTO responses (id, display_id, workspace_id, survey_id, user_id, score, category, comment, created_at, updated_at)
                    VALUES (@Id, @Display, @W, @S, 'u', 9, 'promoter', 'kept', 1, 1)
                    """, new { Id = id * 10, Display = id, W = ws.WorkspaceId, S = survey }, tx);
            }
            c.Execute("INSERT INTO webhooks (id, workspace_id, url, events, secret, dashboard_base, created_at, updated_at) VALUES ('wh_1', @W, 'https://x.test', '[]', 's', 'https://x.test', 1, 1)",
                new { W = ws.WorkspaceId }, tx);
            c.Execute("INSERT INTO webhook_events (id, workspace_id, type, user_id, payload, created_at) VALUES ('evt_1', @W, 'ping', 'u', '{}', 1)",
                new { W = ws.WorkspaceId }, tx);
            c.Execute("INSERT INTO webhook_deliveries (id, webhook_id, event_id, created_at) VALUES (7, 'wh_1', 'evt_1', 1)", transaction: tx);
            tx.Commit();
        }

        using (var c = db.Open())
            Migrator.Apply(c, time);

        using var check = db.Open();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(check.Query<long>("SELECT id FROM displays ORDER BY id"), Is.EqualTo(new long[] { 5, 9 }));
            Assert.That(check.Query<(long, long, string)>("SELECT id, display_id, comment FROM responses ORDER BY id"),
                Is.EqualTo(new[] { (50L, 5L, "kept"), (90L, 9L, "kept") }));
            Assert.That(check.ExecuteScalar<long>("SELECT id FROM webhook_deliveries"), Is.EqualTo(7));
            Assert.That(check.Query("PRAGMA foreign_key_check"), Is.Empty);
            Assert.That(check.ExecuteScalar<long>("PRAGMA foreign_keys"), Is.EqualTo(1), "foreign keys are on again");
            Assert.That(check.ExecuteScalar<string>("PRAGMA integrity_check"), Is.EqualTo("ok"));
        }

        // Cascades still hold, and the largest ids are not handed out again after their rows go.
        check.Execute("DELETE FROM displays WHERE id = 9");
        check.Execute("DELETE FROM webhook_deliveries");
        var survey2 = check.ExecuteScalar<string>("SELECT survey_id FROM displays WHERE id = 5");
        var workspace = check.ExecuteScalar<string>("SELECT workspace_id FROM displays WHERE id = 5");
        var display = check.ExecuteScalar<long>("""
            INSERT INTO displays (workspace_id, survey_id, user_id, token_hash, shown_at, expires_at) VALUES (@W, @S, 'u', randomblob(32), 3, 4) RETURNING id
            """, new { W = workspace, S = survey2 });
        var response = check.ExecuteScalar<long>("""
            INSERT INTO responses (display_id, workspace_id, survey_id, user_id, score, category, created_at, updated_at)
            VALUES (@D, @W, @S, 'u', 1, 'detractor', 3, 3) RETURNING id
            """, new { D = display, W = workspace, S = survey2 });
        var delivery = check.ExecuteScalar<long>("INSERT INTO webhook_deliveries (webhook_id, event_id, created_at) VALUES ('wh_1', 'evt_1', 3) RETURNING id");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(check.ExecuteScalar<long>("SELECT COUNT(*) FROM responses WHERE id = 90"), Is.Zero, "deleting a display still deletes its response");
            Assert.That(display, Is.GreaterThan(9));
            Assert.That(response, Is.GreaterThan(90));
            Assert.That(delivery, Is.GreaterThan(7));
        }
        Assert.Throws<SqliteException>(() => check.Execute("""
            INSERT INTO responses (display_id, workspace_id, survey_id, user_id, score, category, created_at, updated_at)
            VALUES (424242, 'w', 's', 'u', 1, 'detractor', 3, 3)
            """), "the response's foreign key to displays survived the rebuild");
    }
}
