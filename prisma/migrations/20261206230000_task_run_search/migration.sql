-- Search across a project's task runs (lib/search/): trigram indexes for ILIKE '%text%' on the
-- text of the model's output, the expected answer and the input. Expression indexes, which
-- schema.prisma cannot describe; the schema engine leaves them alone (tests/integration/schema.test.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX "TaskRun_output_trgm_idx" ON "TaskRun" USING gin ((output #>> '{}') gin_trgm_ops);

CREATE INDEX "Task_input_trgm_idx" ON "Task" USING gin ((input #>> '{}') gin_trgm_ops);

CREATE INDEX "Task_expected_trgm_idx" ON "Task" USING gin ((expected #>> '{}') gin_trgm_ops);

-- The tool filter reads the tool_use blocks of model responses: a partial index on that small
-- part of model_call bodies, not on whole bodies.
CREATE INDEX "TraceEvent_response_content_idx" ON "TraceEvent" USING gin (((body -> 'response' -> 'body' -> 'content')) jsonb_path_ops) WHERE kind = 'model_call';
