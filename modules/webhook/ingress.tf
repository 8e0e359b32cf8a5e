# The function checks GitHub's HMAC signature itself, so the endpoint is public by design.

resource "aws_lambda_function_url" "this" {
  count = var.ingress == "function_url" ? 1 : 0

  function_name      = module.function.function_name
  authorization_type = "NONE"
}

resource "aws_lambda_permission" "function_url" {
  count = var.ingress == "function_url" ? 1 : 0

  statement_id           = "AllowPublicFunctionUrl"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = module.function.function_name
  principal              = "*"
  function_url_auth_type = "NONE"
}

# Since October 2025 a new public function URL also needs lambda:InvokeFunction (Lambda docs,
# "Control access to Lambda function URLs"). AWS provider 5.x cannot attach the
# `lambda:InvokedViaFunctionUrl` condition that limits it to URL calls; a direct invoke gains
# nothing, though: the function refuses any event without a valid GitHub HMAC signature.
# Choose ingress = "http_api" for an endpoint with no public invoke permission.
resource "aws_lambda_permission" "function_url_invoke" {
  count = var.ingress == "function_url" ? 1 : 0

  statement_id  = "AllowPublicFunctionUrlInvoke"
  action        = "lambda:InvokeFunction"
  function_name = module.function.function_name
  principal     = "*"
}

resource "aws_apigatewayv2_api" "this" {
  count = var.ingress == "http_api" ? 1 : 0

  name          = "${var.prefix}-webhook"
  protocol_type = "HTTP"
  tags          = var.tags
}

resource "aws_apigatewayv2_integration" "this" {
  count = var.ingress == "http_api" ? 1 : 0

  api_id                 = aws_apigatewayv2_api.this[0].id
  integration_type       = "AWS_PROXY"
  integration_uri        = module.function.invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "this" {
  count = var.ingress == "http_api" ? 1 : 0

  api_id    = aws_apigatewayv2_api.this[0].id
  route_key = "POST /webhook"
  target    = "integrations/${aws_apigatewayv2_integration.this[0].id}"
}

resource "aws_apigatewayv2_stage" "this" {
  count = var.ingress == "http_api" ? 1 : 0

  api_id      = aws_apigatewayv2_api.this[0].id
  name        = "$default"
  auto_deploy = true
  tags        = var.tags
}

resource "aws_lambda_permission" "http_api" {
  count = var.ingress == "http_api" ? 1 : 0

  statement_id  = "AllowHttpApi"
  action        = "lambda:InvokeFunction"
  function_name = module.function.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.this[0].execution_arn}/*/*/webhook"
}
