namespace Pulse.Tests.Docs;

/// <summary>How the docs test reads examples out of markdown (<see cref="DocExamples"/>).</summary>
public sealed class DocExamplesParserTests
{
    [Test]
    public void Parser_ReadsResultsMarkersAndPlaceholders()
    {
        var blocks = DocExamples.Parse("x.md", """
            <!-- example: skip (deletes) -->
            ```sh
            curl -X DELETE $PULSE/v1/surveys/srv_…   # 204
            ```

            ```sh
            SK=sk_x   # the workspace's key
            curl -H "A: b" \
              $PULSE/v1/thing
            # 202 { "eventId": "evt_…", "deliveryId": 42 }
            curl $PULSE/v1/other
            ```
            ```json
            { "items": [ { "id": 1 } ], "nextCursor": null }
            ```
            """);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(blocks, Has.Count.EqualTo(2));
            Assert.That(blocks[0].Marker, Is.EqualTo("skip (deletes)"));
            Assert.That(blocks[0].Commands[0].Status, Is.EqualTo(204));
            Assert.That(blocks[1].Commands[0].IsAssignment, Is.True);
            Assert.That(blocks[1].Commands[0].Text, Is.EqualTo("SK=sk_x"), "an apostrophe in a comment opens no quote");
            Assert.That(blocks[1].Commands[1].Text, Does.StartWith("curl -H \"A: b\"").And.EndWith("$PULSE/v1/thing").And.Not.Contain("\n"));
            Assert.That(blocks[1].Commands[1].Status, Is.EqualTo(202));
            Assert.That(blocks[1].Commands[1].ResultKeys.Single(), Is.EqualTo(new[] { "eventId", "deliveryId" }));
            Assert.That(blocks[1].Commands[2].ResultKeys.Single(), Is.EqualTo(new[] { "items", "nextCursor" }));
        }
    }
}
