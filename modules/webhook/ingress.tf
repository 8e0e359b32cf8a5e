# GitHub reaches the webhook through an API Gateway HTTP API, route POST /webhook. The function
# checks GitHub's HMAC signature itself, so the route is public by design; the function is not:
# only this API's route may invoke it (the permission below), never "*".
#
# No Lambda function URL: since October 2025 a public (auth NONE) function URL also needs
# `lambda:InvokeFunction` for principal "*", which is only safe with the condition
# `lambda:InvokedViaFunctionUrl = true` (Lambda developer guide, "Control access to Lambda function
# URLs"). hashicorp/aws 5.x cannot attach that condition (`invoked_via_function_url` arrived in
# 6.28.0), so a function URL would leave anyone with AWS credentials able to invoke the function
# directly, with any event. `ingress` stays an input so the URL can return with provider >= 6.28.

resource "aws_apigatewayv2_api" "this" {
  name          = "${var.prefix}-webhook"
  protocol_type = "HTTP"
  tags          = var.tags
}

resource "aws_apigatewayv2_integration" "this" {
  api_id                 = aws_apigatewayv2_api.this.id
  integration_type       = "AWS_PROXY"
  integration_uri        = module.function.invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "this" {
  api_id    = aws_apigatewayv2_api.this.id
  route_key = "POST /webhook"
  target    = "integrations/${aws_apigatewayv2_integration.this.id}"
}

resource "aws_apigatewayv2_stage" "this" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = "$default"
  auto_deploy = true
  tags        = var.tags
}

# Source ARN: arn:...:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH (API Gateway developer
# guide, "Control access to an HTTP API with IAM"): this API, any stage, POST /webhook only.
resource "aws_lambda_permission" "http_api" {
  statement_id  = "AllowHttpApiPostWebhook"
  action        = "lambda:InvokeFunction"
  function_name = module.function.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.this.execution_arn}/*/POST/webhook"
}
